/**
 * The `deepvis` command line: `optimize`, `activations`, `backward`, `topk` and `gallery`,
 * each a thin wrapper over the library's functions that writes PNGs and one index.html, and
 * `layers`, which prints the layer names those take.
 * Importable (`main(argv)` returns the exit code); runs itself when it is the script Node
 * started (`node --import tsx src/cli/main.ts …`, or the built `deepvis` bin).
 *
 * @example
 * ```ts
 * import { main } from './cli/main';
 * const code = await main(['gallery', '--out', 'deepvis-out']);
 * ```
 * @module
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { closestNames } from '../errors';
import { parseCommandArgs } from './args';
import type { Command } from './command';
import { activationsCommand } from './commands/activations';
import { backwardCommand } from './commands/backward';
import { galleryCommand } from './commands/gallery';
import { layersCommand } from './commands/layers';
import { mergeCommand } from './commands/merge';
import { optimizeCommand } from './commands/optimize';
import { sanityCommand } from './commands/sanity';
import { topkCommand } from './commands/topk';
import { viewerCommand } from './commands/viewer';
import type { Io } from './context';
import { describeFailure, EXIT } from './errors';
import { commandHelp, mainHelp } from './help';

/** The commands, in the order `deepvis --help` lists them. */
export const COMMANDS: readonly Command[] = [galleryCommand, optimizeCommand, activationsCommand, backwardCommand, sanityCommand, topkCommand, mergeCommand, viewerCommand, layersCommand];

const defaultIo: Io = { out: process.stdout, err: process.stderr };

/**
 * Runs one command line (without `node` and the script: `['optimize', '--unit', '3']`) and
 * resolves to its exit code; messages go to `io` (stdout: where the results are; stderr:
 * progress, warnings, errors). Never throws.
 */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out).write(mainHelp(COMMANDS));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const near = closestNames(name, COMMANDS.map((c) => c.name), 2);
    io.err.write(`deepvis: unknown command '${name}'. Did you mean ${near.map((n) => `'${n}'`).join(' or ')}?\n  Commands: ${COMMANDS.map((c) => c.name).join(', ')}. Run 'deepvis --help'.\n`);
    return EXIT.usage;
  }
  try {
    const values = parseCommandArgs(name, rest, command.options);
    if (values.help === true) {
      io.out.write(commandHelp(command));
      return EXIT.ok;
    }
    const out = await command.run(values, io);
    if (out !== null) io.out.write(`deepvis ${name}: wrote ${out}/index.html\n`);
    return EXIT.ok;
  } catch (e) {
    const { exitCode, message } = describeFailure(e);
    io.err.write(`deepvis ${name}: ${message}\n`);
    return exitCode;
  }
}

/** `true` when this module is the script Node was started with. */
function isEntry(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** The signals that end a run early, each with its exit code (128 + the signal's number). */
export const SIGNALS = { SIGINT: EXIT.interrupted, SIGTERM: EXIT.terminated, SIGHUP: EXIT.hangup } as const;

/**
 * Makes Ctrl-C (SIGINT), SIGTERM and SIGHUP exit through `process.exit` with a message and
 * the documented code, so the output folder's exit hook removes the half-written run folder
 * (Node's default signal handling skips exit hooks).
 */
export function exitCleanlyOnInterrupt(): void {
  for (const [signal, code] of Object.entries(SIGNALS)) {
    process.once(signal, () => {
      process.stderr.write(`\ndeepvis: stopped by ${signal}; no output written.\n`);
      process.exit(code);
    });
  }
}

if (isEntry()) {
  exitCleanlyOnInterrupt();
  process.exitCode = await main(process.argv.slice(2));
}
