import type { OptionTable } from './args';
import type { Command } from './command';
import { EXIT } from './errors';

function optionLines(options: OptionTable): string {
  const rows = Object.entries(options).map(([name, o]) => [`${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`, o.help]);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, help]) => `  ${left.padEnd(width)}${help}`).join('\n');
}

/** `deepvis <command> --help`. */
export function commandHelp(c: Command): string {
  return `Usage: deepvis ${c.name} [options]

${c.summary}.
${c.description}

Options:
${optionLines(c.options)}

Examples:
${c.examples.map((e) => `  ${e}`).join('\n')}
`;
}

/** `deepvis --help`. */
export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return `Usage: deepvis <command> [options]

See inside a trained convnet (Yosinski et al. 2015, "Understanding Neural Networks Through
Deep Visualization"). Every command but 'layers' writes PNG images and one index.html
into --out. Without --model it uses Darknet-Tiny, the ImageNet classifier shipped with
deepvis, and its sample photos, offline (--model fashion-mnist: the small embedded convnet).

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}

Run 'deepvis <command> --help' for its options.

Exit codes: ${EXIT.ok} done; ${EXIT.usage} bad command line (option, value, layer, unit, size); ${EXIT.input} missing or
unreadable input (model file, URL, images, backend, --out); ${EXIT.model} the model is not a convnet deepvis
can use; ${EXIT.interrupted} interrupted (Ctrl-C, SIGINT); ${EXIT.terminated} stopped by SIGTERM; ${EXIT.hangup} stopped by SIGHUP (the
terminal closed); ${EXIT.internal} unexpected error (please report it).
`;
}
