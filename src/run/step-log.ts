/**
 * The step log: @actions/core's logging with every message made safe first
 * (outside-text.ts), so no tag, asset name, API message or compiler output
 * printed through it can start a workflow command. Everything the action
 * prints goes through here, not through core directly.
 */
import * as core from '@actions/core'
import { logText, shown } from './outside-text.js'

const safeProps = (p: core.AnnotationProperties = {}): core.AnnotationProperties => ({ ...p, ...(p.title !== undefined ? { title: shown(p.title) } : {}) })

export const info = (message: string): void => core.info(logText(message))
export const debug = (message: string): void => core.debug(logText(message))
export const warning = (message: string, props?: core.AnnotationProperties): void => core.warning(logText(message), safeProps(props))
export const error = (message: string, props?: core.AnnotationProperties): void => core.error(logText(message), safeProps(props))
export const setFailed = (message: string): void => core.setFailed(logText(message))
export const startGroup = (name: string): void => core.startGroup(shown(name))
export const endGroup = (): void => core.endGroup()
