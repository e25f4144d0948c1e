import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WEB_INDEX = join(ROOT, 'web/dist/index.html');
/** Where the dashboard tests leave their screenshots. */
export const ARTIFACTS = join(ROOT, 'test-artifacts/web');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Debian's Chromium, headless, once the built dashboard is there to serve; the screenshot folder is made. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(WEB_INDEX)) throw new Error(`${WEB_INDEX} is missing: build the dashboard first (npm run build -w web)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
