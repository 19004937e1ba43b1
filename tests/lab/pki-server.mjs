// Lab PKI server, one process (started detached by tests/lab/lab.ts, stopped by PID):
//  - HTTP file server on 127.0.0.1:<httpPort> for AIA caIssuers (DER), CRLs and CA downloads;
//  - OCSP responders on 127.0.0.1 (one port per CA), answering from the `openssl ca` index.txt
//    (re-read on every request, so `openssl ca -revoke` during a test is seen immediately).
// Usage: node pki-server.mjs <config.json>
//   config: { "www": dir, "httpPort": n, "ocsp": [{ "port": n, "index": path, "ca": pem, "signerCert": pem, "signerKey": pem }] }
import { createHash, createPrivateKey, sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { basename, join } from 'node:path'

const require = createRequire(import.meta.url)
const { AsnConvert, OctetString } = require('@peculiar/asn1-schema')
const x509 = require('@peculiar/asn1-x509')
const ocsp = require('@peculiar/asn1-ocsp')

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const log = (...a) => console.log(new Date().toISOString(), ...a)

const types = {
  der: 'application/pkix-cert',
  crl: 'application/pkix-crl',
  pem: 'application/x-pem-file',
  p12: 'application/x-pkcs12'
}
const http = createServer(async (req, res) => {
  const name = basename(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname))
  log('http', req.method, req.url)
  if (req.method !== 'GET' && req.method !== 'HEAD') return res.writeHead(405).end()
  if (name === '' || name === 'health')
    return res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n')
  try {
    const body = await readFile(join(config.www, name))
    res.writeHead(200, {
      'content-type': types[name.split('.').pop()] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': 'no-store'
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
  }
})

const pemToDer = (pem) =>
  Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')
const parseTime = (t) => {
  // openssl index time: YYMMDDHHMMSSZ (or YYYYMMDDHHMMSSZ)
  const s = t.length === 13 ? (Number(t.slice(0, 2)) < 50 ? '20' : '19') + t : t
  return new Date(
    Date.UTC(
      +s.slice(0, 4),
      +s.slice(4, 6) - 1,
      +s.slice(6, 8),
      +s.slice(8, 10),
      +s.slice(10, 12),
      +s.slice(12, 14)
    )
  )
}
const reasons = {
  unspecified: 0,
  keycompromise: 1,
  cacompromise: 2,
  affiliationchanged: 3,
  superseded: 4,
  cessationofoperation: 5,
  certificatehold: 6,
  removefromcrl: 8,
  privilegewithdrawn: 9,
  aacompromise: 10
}

function responder(r) {
  const caCert = AsnConvert.parse(pemToDer(readFileSync(r.ca, 'utf8')), x509.Certificate)
  const signerDer = pemToDer(readFileSync(r.signerCert, 'utf8'))
  const signerCert = AsnConvert.parse(signerDer, x509.Certificate)
  const signerKey = createPrivateKey(readFileSync(r.signerKey))
  const caNameDer = Buffer.from(AsnConvert.serialize(caCert.tbsCertificate.subject))
  const caKey = Buffer.from(caCert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey)
  const signerKeyHash = createHash('sha1')
    .update(Buffer.from(signerCert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey))
    .digest()
  const hashName = {
    '1.3.14.3.2.26': 'sha1',
    '2.16.840.1.101.3.4.2.1': 'sha256',
    '2.16.840.1.101.3.4.2.2': 'sha384',
    '2.16.840.1.101.3.4.2.3': 'sha512'
  }
  const isEc = signerKey.asymmetricKeyType === 'ec'
  const sigAlg = isEc ? '1.2.840.10045.4.3.2' : '1.2.840.113549.1.1.11'

  const status = (serialHex) => {
    const serial = serialHex.replace(/^0+/, '').toUpperCase()
    for (const line of readFileSync(r.index, 'utf8').split('\n')) {
      const f = line.split('\t')
      if (f.length < 4 || f[3].replace(/^0+/, '').toUpperCase() !== serial) continue
      if (f[0] === 'R') {
        const [when, reason] = f[2].split(',')
        return { revoked: { time: parseTime(when), reason: reasons[(reason ?? '').toLowerCase()] } }
      }
      return { good: true }
    }
    return { unknown: true }
  }

  const answer = (der) => {
    const reqst = AsnConvert.parse(der, ocsp.OCSPRequest)
    const now = new Date()
    const responses = reqst.tbsRequest.requestList.map((one) => {
      const id = one.reqCert
      const alg = hashName[id.hashAlgorithm.algorithm]
      const mine =
        alg &&
        Buffer.from(id.issuerNameHash.buffer).equals(createHash(alg).update(caNameDer).digest()) &&
        Buffer.from(id.issuerKeyHash.buffer).equals(createHash(alg).update(caKey).digest())
      const st = mine ? status(Buffer.from(id.serialNumber).toString('hex')) : { unknown: true }
      log('ocsp', r.port, Buffer.from(id.serialNumber).toString('hex'), JSON.stringify(st))
      const certStatus = st.good
        ? new ocsp.CertStatus({ good: null })
        : st.revoked
          ? new ocsp.CertStatus({
              revoked: new ocsp.RevokedInfo({
                revocationTime: st.revoked.time,
                ...(st.revoked.reason !== undefined
                  ? { revocationReason: new x509.CRLReason(st.revoked.reason) }
                  : {})
              })
            })
          : new ocsp.CertStatus({ unknown: null })
      return new ocsp.SingleResponse({
        certID: id,
        certStatus,
        thisUpdate: now,
        nextUpdate: new Date(now.getTime() + 3600_000)
      })
    })
    const nonce = reqst.tbsRequest.requestExtensions?.find(
      (e) => e.extnID === ocsp.id_pkix_ocsp_nonce
    )
    const tbs = new ocsp.ResponseData({
      responderID: new ocsp.ResponderID({ byKey: new OctetString(signerKeyHash) }),
      producedAt: now,
      responses,
      ...(nonce ? { responseExtensions: [nonce] } : {})
    })
    const tbsDer = Buffer.from(AsnConvert.serialize(tbs))
    const signature = sign('sha256', tbsDer, signerKey)
    const basic = new ocsp.BasicOCSPResponse({
      tbsResponseData: tbs,
      signatureAlgorithm: new x509.AlgorithmIdentifier({
        algorithm: sigAlg,
        ...(isEc ? {} : { parameters: null })
      }),
      signature,
      certs: [signerCert]
    })
    return Buffer.from(
      AsnConvert.serialize(
        new ocsp.OCSPResponse({
          responseStatus: ocsp.OCSPResponseStatus.successful,
          responseBytes: new ocsp.ResponseBytes({
            responseType: ocsp.id_pkix_ocsp_basic,
            response: new OctetString(AsnConvert.serialize(basic))
          })
        })
      )
    )
  }
  const malformed = Buffer.from(
    AsnConvert.serialize(
      new ocsp.OCSPResponse({ responseStatus: ocsp.OCSPResponseStatus.malformedRequest })
    )
  )

  return createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      let der
      if (req.method === 'POST') der = Buffer.concat(chunks)
      else if (req.method === 'GET') {
        const path = decodeURIComponent((req.url ?? '/').replace(/^\/+/, ''))
        der = Buffer.from(path, 'base64')
      }
      let body
      try {
        body = answer(der)
      } catch (e) {
        log('ocsp', r.port, 'bad request', e.message)
        body = malformed
      }
      res.writeHead(200, {
        'content-type': 'application/ocsp-response',
        'content-length': body.length,
        'cache-control': 'no-store'
      })
      res.end(body)
    })
  })
}

const servers = [http]
http.listen(config.httpPort, '127.0.0.1', () =>
  log(`http on 127.0.0.1:${config.httpPort} serving ${config.www}`)
)
for (const r of config.ocsp) {
  const s = responder(r)
  s.listen(r.port, '127.0.0.1', () => log(`ocsp on 127.0.0.1:${r.port} for ${r.ca}`))
  servers.push(s)
}
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0))
