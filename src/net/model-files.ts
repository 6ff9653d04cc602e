/** The part of a tfjs model.json that names its weight files. */
export interface ModelJsonFiles {
  readonly weightsManifest?: readonly { readonly paths: readonly string[] }[];
}

/**
 * The weight files a model.json lists (by file name) that are not among `names`, in the
 * order it lists them: what a person forgot to choose, copy or serve.
 *
 * @example
 * ```ts
 * const json = JSON.parse(await modelJson.text());
 * const missing = missingWeightFiles(json, files.map((f) => f.name));
 * if (missing.length) console.warn(`choose ${missing.join(', ')} too`);
 * ```
 */
export function missingWeightFiles(json: ModelJsonFiles, names: readonly string[]): string[] {
  const have = new Set(names);
  const wanted = (json.weightsManifest ?? []).flatMap((g) => (Array.isArray(g?.paths) ? g.paths : []).map((p) => p.split('/').pop()!));
  return [...new Set(wanted)].filter((p) => !have.has(p));
}
