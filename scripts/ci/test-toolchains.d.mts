export interface TestToolchains {
  host: string
  otherPatch: string
  otherMinor: string
  /** An old server's Go (gotify v2.4.0's), older than today's module graphs need to be read. */
  old: string
}
export const OLD_SERVER_GO: string
export function testToolchains(hostGo: string): TestToolchains
export function hostGoVersion(): string
