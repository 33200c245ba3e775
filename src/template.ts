/**
 * `{name}` placeholders, as used by the build-image and asset-name inputs.
 * Unknown placeholders are reported, never left in a file name or image tag.
 */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(/\{([^{}]*)\}/g)].map(m => m[1])
}

export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^{}]*)\}/g, (_, key: string) => {
    if (!(key in values)) throw new Error(`unknown placeholder {${key}}`)
    return values[key]
  })
}
