export const ACT_VERSION: string
export function actBinary(env?: NodeJS.ProcessEnv): string
