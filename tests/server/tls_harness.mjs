// tls_harness.mjs: what the TLS and proxy tests share: a self-signed certificate made with
// openssl in a temp dir (for 127.0.0.1 and localhost), and an HTTP(S) request with a chosen CA,
// source address and headers.
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';

// {cert, key} file paths (the key mode 0600) and `ca`, the certificate's PEM text to trust.
export function makeCert(dir, name = 'server') {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=switchboard test',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  chmodSync(key, 0o600);
  return { cert, key, ca: readFileSync(cert, 'utf8') };
}

// Resolves with {status, headers, text, json}; `url` is http:// or https://.
export function fetchWith(url, path, { method = 'GET', headers = {}, body, ca, localAddress, minVersion, maxVersion } = {}) {
  const u = new URL(url);
  const secure = u.protocol === 'https:';
  const allHeaders = body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) };
  return new Promise((resolve, reject) => {
    const options = { hostname: u.hostname, port: u.port, path, method, agent: false, headers: allHeaders, localAddress };
    if (secure) Object.assign(options, { ca, minVersion, maxVersion });
    const req = (secure ? https : http).request(options, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error('request timed out')));
    req.end(body);
  });
}

// A loopback port nobody listens on right now (for a program that cannot report its own).
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
