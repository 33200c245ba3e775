import { isInsecureRegistry } from '../../src/server-image/registry.js'

const engineDefaults = { IndexConfigs: { 'docker.io': { Secure: true } }, InsecureRegistryCIDRs: ['127.0.0.0/8'] }

test('the engine\'s insecure registries: 127.0.0.0/8 by default, named ones, other CIDRs', () => {
  expect(isInsecureRegistry('127.0.0.1:5000', engineDefaults)).toBe(true)
  expect(isInsecureRegistry('localhost:5000', engineDefaults)).toBe(true)
  expect(isInsecureRegistry('ghcr.io', engineDefaults)).toBe(false)
  expect(isInsecureRegistry('10.1.2.3:5000', engineDefaults)).toBe(false)
  expect(isInsecureRegistry('10.1.2.3:5000', { InsecureRegistryCIDRs: ['10.0.0.0/8'] })).toBe(true)
  expect(isInsecureRegistry('registry.lan:5000', { IndexConfigs: { 'registry.lan:5000': { Secure: false } } })).toBe(true)
  expect(isInsecureRegistry('[::1]:5000', { InsecureRegistryCIDRs: ['::1/128'] })).toBe(true)
  expect(isInsecureRegistry('127.0.0.1:5000', {})).toBe(false)
})
