import { execFileSync } from 'node:child_process'

const input = name => (process.env[`INPUT_${name.toUpperCase()}`] ?? '').trim()
const password = input('password')
console.log(`::add-mask::${password}`)
execFileSync('docker', ['login', input('registry'), '--username', input('username'), '--password-stdin'], { input: password, stdio: ['pipe', 'inherit', 'inherit'] })
