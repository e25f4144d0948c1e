/**
 * The README's set-up commands, read from the README itself so that a test
 * running them breaks when the README changes: the fenced `sh` blocks under
 * "## The two commands", in order (install+build+start, then the tests).
 */
export interface ReadmeCommands {
  /** Installs, builds and starts the appliance, e.g. `npm ci && npm run build && npm start`. */
  readonly start: string;
  /** Runs the test suite, e.g. `npm test`. */
  readonly test: string;
}

const SECTION = '## The two commands';

export function readmeCommands(readme: string): ReadmeCommands {
  const at = readme.indexOf(SECTION);
  if (at < 0) throw new Error(`README has no "${SECTION}" section`);
  const rest = readme.slice(at + SECTION.length);
  const next = rest.search(/^## /m);
  const section = next < 0 ? rest : rest.slice(0, next);
  const blocks = [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!.trim());
  if (blocks.length !== 2) throw new Error(`"${SECTION}" holds ${blocks.length} fenced sh blocks, expected 2`);
  for (const b of blocks) {
    if (b.includes('\n')) throw new Error(`a set-up command spans several lines: ${JSON.stringify(b)}`);
  }
  return { start: blocks[0]!, test: blocks[1]! };
}
