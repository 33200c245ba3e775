import * as core from '@actions/core'
import * as github from '@actions/github'
import * as os from 'node:os'
import * as path from 'node:path'
import { type ActionInputs, parseInputs } from './inputs.js'

/** The inputs plus what the runner says about this run. */
export interface ActionContext {
  inputs: ActionInputs
  eventName: string
  /** owner/name of the plugin's repository (where releases live). */
  repository: { owner: string; name: string }
  /** The tag of the release that triggered the run, if any. */
  payloadReleaseTag?: string
  workspace: string
  runnerTemp: string
}

function getInput(name: string): string | undefined {
  // Unset (not even empty) means a run without the runner: the default applies.
  const key = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
  return key in process.env ? core.getInput(name) : undefined
}

export function loadContext(): ActionContext {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd()
  const runnerTemp = process.env.RUNNER_TEMP || os.tmpdir()
  const inputs = parseInputs(getInput, { workspace, runnerTemp })
  if (inputs.token !== '') core.setSecret(inputs.token)
  const [owner = '', name = ''] = (process.env.GITHUB_REPOSITORY ?? '').split('/')
  const release = (github.context.payload as { release?: { tag_name?: string } }).release
  return {
    inputs,
    eventName: github.context.eventName ?? '',
    repository: { owner, name },
    payloadReleaseTag: release?.tag_name,
    workspace: path.resolve(workspace),
    runnerTemp: path.resolve(runnerTemp)
  }
}
