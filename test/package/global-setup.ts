// The package project's one pack: `npm pack` builds dist/ from scratch (its `prepack`) and
// makes the tarball every package test reads (provided as 'tarball').
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TestProject } from 'vitest/node';
import { packTarball } from '../helpers/pack';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The tarball `npm pack` made from a clean build. */
    tarball: string;
  }
}

export default function setup(project: TestProject): () => void {
  const tarball = packTarball();
  project.provide('tarball', tarball);
  return () => rmSync(dirname(tarball), { recursive: true, force: true });
}
