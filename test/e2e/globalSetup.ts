import { execFileSync } from 'node:child_process';

/** The e2e tests drive the real, built renderer: build it once before they run. */
export default function globalSetup(): void {
  execFileSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
}
