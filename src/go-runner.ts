/** How Go runs: the GoRunner interface and the Docker runner (see src/go-runner/). Kept for importers of this path. */
export * from './go-runner/runner.js'
export { DockerGoRunner, containerPath } from './go-runner/docker.js'
