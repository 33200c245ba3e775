/**
 * The step log: @actions/core's logging with every message made safe first
 * (outside-text.ts), so no tag, asset name, API message or compiler output
 * printed through it can start a workflow command. Everything the action
 * prints goes through here, not through core directly.
 */
import * as core from '@actions/core'
import { logText, shown } from './outside-text.js'

const safeProps = (p: core.AnnotationProperties = {}): core.AnnotationProperties => ({ ...p, ...(p.title !== undefined ? { title: shown(p.title) } : {}) })

// Once a run is cancelled (src/run/cancel.ts), what its pipeline still says is the echo of programs it stopped
// (builds "failed", programs "not started"): only the cancellation's own line is printed.
let cancelled = false

export const info = (message: string): void => void (cancelled || core.info(logText(message)))
export const debug = (message: string): void => void (cancelled || core.debug(logText(message)))
export const warning = (message: string, props?: core.AnnotationProperties): void => void (cancelled || core.warning(logText(message), safeProps(props)))
export const error = (message: string, props?: core.AnnotationProperties): void => void (cancelled || core.error(logText(message), safeProps(props)))
export const setFailed = (message: string): void => void (cancelled || core.setFailed(logText(message)))
export const startGroup = (name: string): void => void (cancelled || core.startGroup(shown(name)))
export const endGroup = (): void => void (cancelled || core.endGroup())

/** From now on only `cancellation` prints. */
export const silenceForCancel = (): void => void (cancelled = true)
/** The one line of a cancelled run, as its failure. */
export const cancellation = (message: string): void => core.setFailed(logText(message))
