import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { CONTAINER_CA_DIR, describeCaMounts, findRunnerCaFiles, planCaMounts, x509Hint } from '../../src/container/runner-certificates.js'

let dir: string
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-files-'))
  fs.writeFileSync(path.join(dir, 'company.pem'), '-----BEGIN CERTIFICATE-----\n')
  fs.writeFileSync(path.join(dir, 'other.crt'), '-----BEGIN CERTIFICATE-----\n')
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

test('the files the variables name, relative to the working folder, each real file once', () => {
  const found = findRunnerCaFiles({ SSL_CERT_FILE: 'company.pem', NODE_EXTRA_CA_CERTS: path.join(dir, 'company.pem'), SSL_CERT_DIR: `${dir}:/nonexistent-ca-dir` }, dir)
  expect(found.files).toEqual([
    { variable: 'SSL_CERT_FILE', file: fs.realpathSync(path.join(dir, 'company.pem')) },
    { variable: 'SSL_CERT_DIR', file: fs.realpathSync(path.join(dir, 'other.crt')) }
  ])
  expect(found.problems).toEqual([expect.stringMatching(/^SSL_CERT_DIR names \/nonexistent-ca-dir, which cannot be read on the runner \(ENOENT\): not passed to the containers$/)])
})

test('nothing set, nothing mounted', () => {
  expect(findRunnerCaFiles({}, dir)).toEqual({ files: [], problems: [] })
  expect(planCaMounts([], '1.26.8')).toEqual({ mounts: [], env: {} })
})

test('read-only mounts into one folder that SSL_CERT_DIR names, before Go\'s default folders (the image\'s roots)', () => {
  const files = [{ variable: 'SSL_CERT_FILE' as const, file: '/etc/company/ca bundle.pem' }, { variable: 'NODE_EXTRA_CA_CERTS' as const, file: '/opt/extra.crt' }]
  const ca = planCaMounts(files, '1.26.8')
  expect(ca.mounts).toEqual([
    { host: '/etc/company/ca bundle.pem', container: `${CONTAINER_CA_DIR}/0-ssl_cert_file-ca_bundle.pem`, readOnly: true },
    { host: '/opt/extra.crt', container: `${CONTAINER_CA_DIR}/1-node_extra_ca_certs-extra.crt`, readOnly: true }
  ])
  // SSL_CERT_FILE stays unset in the container: the image's own bundle file keeps loading.
  expect(ca.env).toEqual({ SSL_CERT_DIR: `${CONTAINER_CA_DIR}:/etc/ssl/certs:/etc/pki/tls/certs` })
  // Go before 1.16 reads one folder only; its default bundle file still loads.
  expect(planCaMounts(files, '1.12.0').env).toEqual({ SSL_CERT_DIR: CONTAINER_CA_DIR })
  // A folder go-env names (a container path) is kept after ours.
  expect(planCaMounts(files, '1.26.8', { SSL_CERT_DIR: '/proj/certs' }).env).toEqual({ SSL_CERT_DIR: `${CONTAINER_CA_DIR}:/proj/certs` })
  expect(describeCaMounts(files, ca.env)).toBe(
    `Runner CA certificates from SSL_CERT_FILE (1 file), NODE_EXTRA_CA_CERTS (1 file) mounted read-only at ${CONTAINER_CA_DIR} in every container; Go trusts them through SSL_CERT_DIR=${ca.env.SSL_CERT_DIR}, next to the image's own roots`
  )
})

test('x509 errors get a hint about the runner\'s CA variables; other errors none', () => {
  expect(x509Hint('tls: failed to verify certificate: x509: certificate signed by unknown authority')).toMatch(/SSL_CERT_FILE, SSL_CERT_DIR or NODE_EXTRA_CA_CERTS/)
  expect(x509Hint('go: example.com/dep@v1.9.9: 404 Not Found')).toBe('')
})
