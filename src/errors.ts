/**
 * An input the user gave cannot be used. The message is one line that names
 * the input and says what is accepted, e.g.
 *   Input 'platforms': unknown platform "linux-mips"; accepted: linux-amd64, ...
 */
export class InputError extends Error {
  constructor(
    readonly input: string,
    problem: string,
    accepted: string
  ) {
    super(`Input '${input}': ${problem}; accepted: ${accepted}`)
    this.name = 'InputError'
  }
}

/** Where an annotation should point (a file of the plugin, e.g. its go.mod). */
export interface SourceLocation {
  file: string
  line?: number
}

/**
 * A step of the pipeline failed for a reason the user can act on. `location`,
 * when set, becomes the annotation's file and line.
 */
export class StepError extends Error {
  constructor(
    message: string,
    readonly location?: SourceLocation
  ) {
    super(message)
    this.name = 'StepError'
  }
}
