/**
 * Who can fix two plugin files that link a module the server does not link
 * at other versions. The action rebuilds only this run's plugins: it moves
 * them to a neighbour's (with-plugins) versions where their go.mod allows it
 * (alignment/align-across.ts), so a conflict left with a neighbour is for
 * the neighbour's owner to fix by rebuilding it, or for the plugin's go.mod
 * to allow the neighbour's version. Pure.
 */

export interface AdviceSide {
  name: string
  /** A with-plugins file: this run does not build it. */
  neighbour?: boolean
}

export interface ModuleVersions {
  module: string
  earlier?: string
  later?: string
}

const each = (ms: ModuleVersions[], side: 'earlier' | 'later'): string => ms.map(m => `${m.module} ${m[side] ?? '?'}`).join(', ')

/**
 * The fix for differing module versions between `earlier` and `later` (the
 * load order), told to whoever can make it. `why(module)`: why this run's
 * plugin could not take the neighbour's version, when alignment tried.
 */
export function moduleVersionsAdvice(modules: ModuleVersions[], earlier: AdviceSide, later: AdviceSide, why: (module: string) => string | undefined = () => undefined): string {
  const [a, b] = [earlier.name, later.name]
  if (!earlier.neighbour && !later.neighbour) return `the server does not link them, so build both plugins with one version of each (say ${b} with ${a}'s)`
  if (earlier.neighbour && later.neighbour) return `neither is built by this run (both are with-plugins neighbours): their owners must build them with one version of ${modules.map(m => m.module).join(', ')}`
  const [n, own, nSide, ownSide]: [string, string, 'earlier' | 'later', 'earlier' | 'later'] = earlier.neighbour ? [a, b, 'earlier', 'later'] : [b, a, 'later', 'earlier']
  const reasons = [...new Set(modules.map(m => why(m.module)).filter((w): w is string => w !== undefined))]
  const tried = reasons.length > 0 ? `this run could not move ${own} to ${each(modules, nSide)} (${reasons.join('; ')})` : `${own} does not link ${each(modules, nSide)}`
  return `${n} is a with-plugins neighbour, which this run does not rebuild, and ${tried}: ${n}'s owner must rebuild it with ${each(modules, ownSide)} (the versions ${own} links), or ${own}'s go.mod must allow ${each(modules, nSide)}`
}
