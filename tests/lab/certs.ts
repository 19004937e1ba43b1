// Per-run PKI for the lab, generated with the openssl CLI (EC P-256 keys: fast).
//
//   root CA ──┬── intermediate CA ──┬── good, expired, wrong-host, missing-intermediate,
//             │                     │   revoked (index: revoked), mtls server, OCSP signer
//             │                     └── (CRL: intermediate.crl, OCSP responder `ocsp`)
//             └── client CA ── alice client cert (+ PKCS#12)
//   rogue CA (not trusted) ── unknown-ca leaf
//   self-signed leaf
//
// Leaves carry AIA (caIssuers → http://127.0.0.1:HTTP/intermediate.der, OCSP → ocsp port) and a
// CRL distribution point (http://127.0.0.1:HTTP/intermediate.crl). The intermediate carries AIA
// (caIssuers → root.der, OCSP → ocspRoot port) and CRL DP (root.crl).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { run } from './proc'

export const LAB_DOMAIN = 'lab.trustline.test'
export const WRONG_HOST = 'wrong.trustline.test'

export interface CertPair {
  cert: string
  key: string
  /** PEM file: leaf + intermediate(s) the server sends (what Kamailio loads as `certificate`). */
  chain: string
}

export interface LabPki {
  dir: string
  /** PEM of the lab root CA: the trust anchor clients should add. */
  rootCa: string
  rootCaDer: string
  intermediateCa: string
  intermediateCaDer: string
  /** intermediate + root, PEM */
  caBundle: string
  clientCa: string
  rogueCa: string
  crl: { root: string; intermediate: string }
  ocspSigner: { cert: string; key: string }
  rootOcspSigner: { cert: string; key: string }
  intermediateIndex: string
  rootIndex: string
  servers: {
    good: CertPair
    expired: CertPair
    wrongHost: CertPair
    selfSigned: CertPair
    unknownCa: CertPair
    missingIntermediate: CertPair
    revoked: CertPair
    mtls: CertPair
  }
  client: { alice: { cert: string; key: string; p12: string; p12Password: string; chain: string } }
  /** Serial (hex) of the revoked leaf. */
  revokedSerial: string
}

export interface PkiUrls {
  http: string // e.g. http://127.0.0.1:PORT
  ocsp: string // e.g. http://127.0.0.1:PORT
  ocspRoot: string
}

const KEYOPT = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
const GOOD_SAN = `DNS:localhost,IP:127.0.0.1,DNS:${LAB_DOMAIN},URI:sip:${LAB_DOMAIN}`

/**
 * A directory `openssl ca` can sign from: index, serial (random start), CRL number and a config
 * whose CA certificate and key are `<dir>/<name>/ca.pem` and `ca.key`. Returns the directory.
 */
export function setupCaDir(parent: string, name: string): string {
  const d = join(parent, name)
  mkdirSync(join(d, 'newcerts'), { recursive: true })
  writeFileSync(join(d, 'index.txt'), '')
  writeFileSync(join(d, 'index.txt.attr'), 'unique_subject = no\n')
  writeFileSync(
    join(d, 'serial'),
    (Math.floor(Math.random() * 0xffff) + 0x1000).toString(16).padStart(6, '0') + '\n'
  )
  writeFileSync(join(d, 'crlnumber'), '01\n')
  writeFileSync(join(d, 'ca.cnf'), caConfig(d, name))
  return d
}

function caConfig(dir: string, name: string): string {
  return `[ ca ]
default_ca = CA_${name}
[ CA_${name} ]
dir = ${dir}
database = ${dir}/index.txt
new_certs_dir = ${dir}/newcerts
serial = ${dir}/serial
crlnumber = ${dir}/crlnumber
certificate = ${dir}/ca.pem
private_key = ${dir}/ca.key
default_md = sha256
default_days = 825
default_crl_days = 7
policy = policy_any
copy_extensions = none
unique_subject = no
email_in_dn = no
[ policy_any ]
commonName = supplied
organizationName = optional
organizationalUnitName = optional
`
}

function extensions(urls: PkiUrls): string {
  const leafAia = `authorityInfoAccess = caIssuers;URI:${urls.http}/intermediate.der,OCSP;URI:${urls.ocsp}/`
  const leafCdp = `crlDistributionPoints = URI:${urls.http}/intermediate.crl`
  const leaf = (san: string) => `basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = ${san}
${leafAia}
${leafCdp}
`
  return `[ req ]
distinguished_name = req_dn
[ req_dn ]
[ v3_root ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_intermediate ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = caIssuers;URI:${urls.http}/root.der,OCSP;URI:${urls.ocspRoot}/
crlDistributionPoints = URI:${urls.http}/root.crl
[ v3_clientca ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:${urls.http}/root.crl
[ v3_good ]
${leaf(GOOD_SAN)}
[ v3_wrong ]
${leaf(`DNS:${WRONG_HOST}`)}
[ v3_ocsp ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_selfsigned ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = ${GOOD_SAN}
[ v3_rogue_leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = ${GOOD_SAN}
[ v3_client ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = URI:sip:alice@${LAB_DOMAIN},email:alice@${LAB_DOMAIN}
crlDistributionPoints = URI:${urls.http}/root.crl
`
}

const cat = (out: string, ...files: string[]) =>
  writeFileSync(out, files.map((f) => readFileSync(f, 'utf8').trimEnd() + '\n').join(''))

export async function generatePki(
  dir: string,
  urls: PkiUrls,
  p12Password = 'alice-p12'
): Promise<LabPki> {
  mkdirSync(dir, { recursive: true })
  const p = (f: string) => join(dir, f)
  const ext = p('extensions.cnf')
  writeFileSync(ext, extensions(urls))

  const setupCa = (name: string) => setupCaDir(dir, name)
  const req = (key: string, csr: string, cn: string) =>
    run('openssl', [
      'req',
      '-new',
      ...KEYOPT,
      '-keyout',
      key,
      '-out',
      csr,
      '-subj',
      `/O=TrustLine Lab/CN=${cn}`
    ])
  const caSign = async (
    ca: string,
    csr: string,
    out: string,
    section: string,
    extra: string[] = []
  ) => {
    await run('openssl', [
      'ca',
      '-batch',
      '-notext',
      '-config',
      join(ca, 'ca.cnf'),
      '-extfile',
      ext,
      '-extensions',
      section,
      '-in',
      csr,
      '-out',
      out,
      ...extra
    ])
  }

  // Root CA (self-signed) and rogue CA (an unrelated, untrusted root).
  const rootDir = setupCa('root')
  const rogueDir = setupCa('rogue')
  await Promise.all([
    run('openssl', [
      'req',
      '-x509',
      ...KEYOPT,
      '-keyout',
      join(rootDir, 'ca.key'),
      '-out',
      join(rootDir, 'ca.pem'),
      '-days',
      '3650',
      '-subj',
      '/O=TrustLine Lab/CN=TrustLine Lab Root CA',
      '-config',
      ext,
      '-extensions',
      'v3_root'
    ]),
    run('openssl', [
      'req',
      '-x509',
      ...KEYOPT,
      '-keyout',
      join(rogueDir, 'ca.key'),
      '-out',
      join(rogueDir, 'ca.pem'),
      '-days',
      '3650',
      '-subj',
      '/O=Not TrustLine/CN=Unknown Rogue CA',
      '-config',
      ext,
      '-extensions',
      'v3_root'
    ])
  ])

  // Intermediate + client CA, signed by root.
  const intDir = setupCa('intermediate')
  const clientCaDir = setupCa('clientca')
  await req(join(intDir, 'ca.key'), join(intDir, 'ca.csr'), 'TrustLine Lab Intermediate CA')
  await caSign(rootDir, join(intDir, 'ca.csr'), join(intDir, 'ca.pem'), 'v3_intermediate', [
    '-days',
    '3650'
  ])
  await req(join(clientCaDir, 'ca.key'), join(clientCaDir, 'ca.csr'), 'TrustLine Lab Client CA')
  await caSign(rootDir, join(clientCaDir, 'ca.csr'), join(clientCaDir, 'ca.pem'), 'v3_clientca', [
    '-days',
    '3650'
  ])

  // Keys + CSRs for all leaves in parallel, then signing serially (openssl ca owns index.txt).
  const leaves = [
    'good',
    'expired',
    'wronghost',
    'missingint',
    'revoked',
    'mtls',
    'ocsp',
    'rootocsp',
    'unknownca',
    'alice'
  ]
  await Promise.all(
    leaves.map((n) =>
      req(
        p(`${n}.key`),
        p(`${n}.csr`),
        n === 'alice'
          ? 'alice'
          : n === 'wronghost'
            ? WRONG_HOST
            : n.includes('ocsp')
              ? `TrustLine Lab ${n === 'ocsp' ? 'Intermediate' : 'Root'} OCSP Responder`
              : LAB_DOMAIN
      )
    )
  )
  const selfSigned = run('openssl', [
    'req',
    '-x509',
    ...KEYOPT,
    '-keyout',
    p('selfsigned.key'),
    '-out',
    p('selfsigned.pem'),
    '-days',
    '825',
    '-subj',
    `/O=TrustLine Lab/CN=${LAB_DOMAIN}`,
    '-config',
    ext,
    '-extensions',
    'v3_selfsigned'
  ])

  await caSign(intDir, p('good.csr'), p('good.pem'), 'v3_good')
  await caSign(intDir, p('expired.csr'), p('expired.pem'), 'v3_good', [
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20210101000000Z'
  ])
  await caSign(intDir, p('wronghost.csr'), p('wronghost.pem'), 'v3_wrong')
  await caSign(intDir, p('missingint.csr'), p('missingint.pem'), 'v3_good')
  await caSign(intDir, p('revoked.csr'), p('revoked.pem'), 'v3_good')
  await caSign(intDir, p('mtls.csr'), p('mtls.pem'), 'v3_good')
  await caSign(intDir, p('ocsp.csr'), p('ocsp.pem'), 'v3_ocsp')
  await caSign(rootDir, p('rootocsp.csr'), p('rootocsp.pem'), 'v3_ocsp')
  await caSign(rogueDir, p('unknownca.csr'), p('unknownca.pem'), 'v3_rogue_leaf')
  await caSign(clientCaDir, p('alice.csr'), p('alice.pem'), 'v3_client')
  await selfSigned

  // Revoke, then CRLs (PEM for openssl, DER for the HTTP server).
  await run('openssl', [
    'ca',
    '-config',
    join(intDir, 'ca.cnf'),
    '-revoke',
    p('revoked.pem'),
    '-crl_reason',
    'keyCompromise'
  ])
  await Promise.all([
    run('openssl', [
      'ca',
      '-batch',
      '-config',
      join(intDir, 'ca.cnf'),
      '-gencrl',
      '-out',
      p('intermediate.crl.pem')
    ]),
    run('openssl', [
      'ca',
      '-batch',
      '-config',
      join(rootDir, 'ca.cnf'),
      '-gencrl',
      '-out',
      p('root.crl.pem')
    ])
  ])
  const www = p('www')
  mkdirSync(www, { recursive: true })
  copyFileSync(join(rootDir, 'ca.pem'), p('root.pem'))
  copyFileSync(join(intDir, 'ca.pem'), p('intermediate.pem'))
  copyFileSync(join(clientCaDir, 'ca.pem'), p('clientca.pem'))
  copyFileSync(join(rogueDir, 'ca.pem'), p('rogue.pem'))
  await Promise.all([
    run('openssl', [
      'crl',
      '-in',
      p('intermediate.crl.pem'),
      '-outform',
      'DER',
      '-out',
      join(www, 'intermediate.crl')
    ]),
    run('openssl', [
      'crl',
      '-in',
      p('root.crl.pem'),
      '-outform',
      'DER',
      '-out',
      join(www, 'root.crl')
    ]),
    run('openssl', [
      'x509',
      '-in',
      p('root.pem'),
      '-outform',
      'DER',
      '-out',
      join(www, 'root.der')
    ]),
    run('openssl', [
      'x509',
      '-in',
      p('intermediate.pem'),
      '-outform',
      'DER',
      '-out',
      join(www, 'intermediate.der')
    ]),
    run('openssl', [
      'x509',
      '-in',
      p('clientca.pem'),
      '-outform',
      'DER',
      '-out',
      join(www, 'clientca.der')
    ])
  ])
  copyFileSync(p('root.pem'), join(www, 'root.pem'))
  copyFileSync(p('intermediate.pem'), join(www, 'intermediate.pem'))

  cat(p('ca-bundle.pem'), p('intermediate.pem'), p('root.pem'))
  const pair = (
    name: string,
    chainWithIntermediate: boolean,
    extraChain: string[] = []
  ): CertPair => {
    const chain = p(`${name}.chain.pem`)
    cat(
      chain,
      p(`${name}.pem`),
      ...(chainWithIntermediate ? [p('intermediate.pem')] : []),
      ...extraChain
    )
    return { cert: p(`${name}.pem`), key: p(`${name}.key`), chain }
  }
  cat(p('alice.chain.pem'), p('alice.pem'), p('clientca.pem'))
  await run('openssl', [
    'pkcs12',
    '-export',
    '-inkey',
    p('alice.key'),
    '-in',
    p('alice.pem'),
    '-certfile',
    p('clientca.pem'),
    '-name',
    'alice@' + LAB_DOMAIN,
    '-out',
    p('alice.p12'),
    '-passout',
    `pass:${p12Password}`
  ])
  // root+clientCA bundle: what Kamailio's mTLS listener trusts for client certificates.
  cat(p('client-trust.pem'), p('clientca.pem'), p('root.pem'))

  const revokedSerial =
    (await run('openssl', ['x509', '-in', p('revoked.pem'), '-noout', '-serial']))
      .trim()
      .split('=')[1] ?? ''

  return {
    dir,
    rootCa: p('root.pem'),
    rootCaDer: join(www, 'root.der'),
    intermediateCa: p('intermediate.pem'),
    intermediateCaDer: join(www, 'intermediate.der'),
    caBundle: p('ca-bundle.pem'),
    clientCa: p('clientca.pem'),
    rogueCa: p('rogue.pem'),
    crl: { root: join(www, 'root.crl'), intermediate: join(www, 'intermediate.crl') },
    ocspSigner: { cert: p('ocsp.pem'), key: p('ocsp.key') },
    rootOcspSigner: { cert: p('rootocsp.pem'), key: p('rootocsp.key') },
    intermediateIndex: join(intDir, 'index.txt'),
    rootIndex: join(rootDir, 'index.txt'),
    servers: {
      good: pair('good', true),
      expired: pair('expired', true),
      wrongHost: pair('wronghost', true),
      selfSigned: pair('selfsigned', false),
      unknownCa: pair('unknownca', false, [p('rogue.pem')]),
      missingIntermediate: pair('missingint', false),
      revoked: pair('revoked', true),
      mtls: pair('mtls', true)
    },
    client: {
      alice: {
        cert: p('alice.pem'),
        key: p('alice.key'),
        p12: p('alice.p12'),
        p12Password,
        chain: p('alice.chain.pem')
      }
    },
    revokedSerial
  }
}
