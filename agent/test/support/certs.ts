// Test certificate authorities and server certificates, made with the openssl command line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  certPem: string;
  keyPem: string;
}

export interface ServerCert {
  certPem: string;
  keyPem: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A self-signed certificate authority (EC P-256, one day). */
export function makeCa(name = 'OskarTrack test CA'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'oskartrack-ca-'));
  try {
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir);
    openssl(
      [
        'req',
        '-x509',
        '-new',
        '-key',
        'ca.key',
        '-sha256',
        '-days',
        '1',
        '-subj',
        `/CN=${name}`,
        '-out',
        'ca.pem',
      ],
      dir,
    );
    return {
      certPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
      keyPem: readFileSync(join(dir, 'ca.key'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A server certificate signed by `ca` for the given names (`DNS:localhost`, `IP:127.0.0.1`). */
export function makeServerCert(ca: TestCa, altNames = ['DNS:localhost', 'IP:127.0.0.1']): ServerCert {
  const dir = mkdtempSync(join(tmpdir(), 'oskartrack-cert-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), ca.certPem);
    writeFileSync(join(dir, 'ca.key'), ca.keyPem, { mode: 0o600 });
    writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=${altNames.join(',')}\n`);
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'server.key'], dir);
    openssl(['req', '-new', '-key', 'server.key', '-subj', '/CN=oskartrack-test', '-out', 'server.csr'], dir);
    openssl(
      [
        'x509',
        '-req',
        '-in',
        'server.csr',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '1',
        '-sha256',
        '-extfile',
        'ext.cnf',
        '-out',
        'server.pem',
      ],
      dir,
    );
    return {
      certPem: readFileSync(join(dir, 'server.pem'), 'utf8'),
      keyPem: readFileSync(join(dir, 'server.key'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
