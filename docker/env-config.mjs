// Configuration file settings from environment variables, for containers
// where mounting a file is awkward: PBX__<SECTION>__<KEY>=<value> sets
// <section>.<key> of the YAML configuration (PBX__USRLOC__DB_MODE=1 is
// `usrloc: {db_mode: 1}`; PBX__ROLE=edge is `role: edge`). Names are
// matched case-insensitively against the Kamailio parameter names; values
// are read as YAML scalars (1, true, "text", [a, b]); an empty value is
// ignored, as for every other variable. They are laid over the mounted
// PBX_CONFIG file when there is one: the environment wins, as `docker run
// -e` is expected to.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

const PREFIX = 'PBX__';

/** The PBX__ variables as nested settings, or undefined when there are none. */
export function settingsFromEnv(env) {
  let out;
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(PREFIX) || value === undefined || value === '') continue;
    const path = name.slice(PREFIX.length).toLowerCase().split('__');
    if (path.some((seg) => seg === '')) throw new Error(`${name}: expected PBX__<SECTION>__<KEY> (segments separated by two underscores)`);
    out ??= {};
    let node = out;
    for (const seg of path.slice(0, -1)) {
      if (typeof node[seg] !== 'object' || node[seg] === null || Array.isArray(node[seg])) node[seg] = {};
      node = node[seg];
    }
    node[path.at(-1)] = parseValue(value);
  }
  return out;
}

function parseValue(text) {
  try {
    const v = parse(text);
    return v === null ? text : v;
  } catch {
    return text; // not YAML: the text itself (a password with a colon and a space, say)
  }
}

/** `over` laid onto `base`, mappings merged key by key, anything else replaced. */
export function mergeSettings(base, over) {
  if (!isMapping(base) || !isMapping(over)) return over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? mergeSettings(out[k], v) : v;
  return out;
}

function isMapping(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Writes the effective file into DATA_DIR (the one place a container can
 * always write; mode 0600, as it may hold secrets) and returns its path for
 * PBX_CONFIG; returns the unchanged PBX_CONFIG when no PBX__ variable is
 * set. A mounted file that cannot be read or parsed is left to the server,
 * which reports it in its usual one-line form.
 */
export function effectiveConfigFile(env) {
  const fromEnv = settingsFromEnv(env);
  if (fromEnv === undefined) return env.PBX_CONFIG;
  let base = {};
  if (env.PBX_CONFIG) {
    let doc;
    try {
      doc = parse(readFileSync(env.PBX_CONFIG, 'utf8'));
    } catch {
      return env.PBX_CONFIG;
    }
    if (doc !== null && doc !== undefined) base = doc;
  }
  const dataDir = resolve(env.DATA_DIR || './data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'pbx-config.effective.yaml');
  const header = `# Written at start-up from ${env.PBX_CONFIG ? `${env.PBX_CONFIG} and ` : ''}the PBX__ environment variables; edits are lost.\n`;
  writeFileSync(file, header + stringify(mergeSettings(base, fromEnv)), { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}
