/**
 * A throwaway certificate authority and server certificate for a stack run over TLS, made with
 * `openssl` at every start in `<dir>/tls` (mode 0600 keys, never committed: the stack dirs are
 * ignored by git). The certificate names TLS_SERVERNAME and 127.0.0.1, so clients verify it with
 * the CA file and, as in production behind an address that is not the certificate's name, the
 * server name setting.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const TLS_SERVERNAME = 'redis.devstack.test';

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

export function tlsFiles(dir: string): TlsFiles & { caKey: string; dir: string } {
  const tlsDir = path.join(path.resolve(dir), 'tls');
  return {
    dir: tlsDir,
    ca: path.join(tlsDir, 'ca.pem'),
    caKey: path.join(tlsDir, 'ca.key'),
    cert: path.join(tlsDir, 'server.pem'),
    key: path.join(tlsDir, 'server.key'),
  };
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A new CA (valid two days) and a server certificate it signed, in `<dir>/tls`. */
export function makeCertificates(dir: string, servername = TLS_SERVERNAME): TlsFiles {
  const f = tlsFiles(dir);
  mkdirSync(f.dir, { recursive: true, mode: 0o700 });
  const csr = path.join(f.dir, 'server.csr');
  const ext = path.join(f.dir, 'server.ext');
  writeFileSync(ext, `subjectAltName=DNS:${servername},IP:127.0.0.1\n`);
  // prettier-ignore
  openssl(['req', '-x509', ...EC, '-keyout', f.caKey, '-out', f.ca, '-days', '2',
    '-subj', '/CN=Propagate devstack CA']);
  // prettier-ignore
  openssl(['req', ...EC, '-keyout', f.key, '-out', csr, '-subj', `/CN=${servername}`]);
  // prettier-ignore
  openssl(['x509', '-req', '-in', csr, '-CA', f.ca, '-CAkey', f.caKey, '-CAcreateserial',
    '-out', f.cert, '-days', '2', '-extfile', ext]);
  return { ca: f.ca, cert: f.cert, key: f.key };
}
