import type { OptionTable, Values } from './args';
import type { Io } from './context';

/** One `deepvis <name>` command: its help and what it runs. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** A few sentences for `--help`: what it writes and where. */
  readonly description: string;
  /** The command's own options plus the common ones. */
  readonly options: OptionTable;
  readonly examples: readonly string[];
  /** Runs with parsed options; resolves to the output folder, or null for a command that only prints. */
  run(values: Values, io: Io): Promise<string | null>;
}
