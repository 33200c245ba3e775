export interface TestToolchains {
  host: string
  otherPatch: string
  otherMinor: string
}
export function testToolchains(hostGo: string): TestToolchains
export function hostGoVersion(): string
