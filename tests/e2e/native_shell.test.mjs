// The native shell (switchboard-shell: SDL2 + OpenGL 3) under Xvfb against switchboardd: it
// signs in with the same core as the browser build and draws the desk. A screenshot of the X
// display is saved and must not be blank.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { repoRoot, startServer } from '../server/harness.mjs';
import { artifacts, assertNotBlank } from './browser.mjs';

const shellBinary = process.env.SWITCHBOARD_SHELL ?? join(repoRoot, 'build/native/shell/switchboard-shell');

// Xvfb on a display number it picks itself (-displayfd), stopped by its pid.
async function startXvfb() {
  const proc = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'],
    { stdio: ['ignore', 'pipe', 'ignore'] });
  const display = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Xvfb did not start')), 10000);
    proc.stdout.on('data', (d) => { clearTimeout(timer); resolve(`:${d.toString().trim()}`); });
    proc.on('exit', (code) => reject(new Error(`Xvfb exited ${code}`)));
  });
  return { display, stop: () => { proc.kill('SIGTERM'); } };
}

async function until(predicate, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('switchboard-shell signs in under Xvfb and draws the desk', async () => {
  const server = await startServer();
  const x = await startXvfb();
  let shell;
  try {
    shell = spawn(shellBinary, ['--url', server.wsUrl, '--autologin', 'alice:switchboard', '--exit-after', '60'],
      { env: { ...process.env, DISPLAY: x.display }, stdio: ['ignore', 'ignore', 'pipe'] });
    let shellErr = '';
    shell.stderr.on('data', (d) => { shellErr += d; });
    await until(() => /"msg":"logged in"[^\n]*"username":"alice"/.test(server.stderr) || shell.exitCode !== null,
      'the shell to sign in');
    assert.equal(shell.exitCode, null, `switchboard-shell exited: ${shellErr}`);
    await new Promise((r) => setTimeout(r, 1500));  // a few frames of the desk
    const buffer = execFileSync('import', ['-display', x.display, '-window', 'root', 'png:-'], { maxBuffer: 64 << 20 });
    writeFileSync(join(artifacts, 'native-shell-desk.png'), buffer);
    const png = PNG.sync.read(buffer);
    assert.equal(png.width, 1280);
    assertNotBlank(png, 'native-shell-desk');
  } finally {
    if (shell && shell.exitCode === null) shell.kill('SIGTERM');
    x.stop();
    await server.stop();
  }
});
