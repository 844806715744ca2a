// What-if: the build a change would cause, run against what a real build would read now and then
// thrown away — nothing is written. Not a job: the API and the CLI call it directly, and it throws
// a DomainError whose fields name each invalid change.
import {
  applyWhatIf,
  buildRoadmap,
  type Epic,
  type Period,
  type Roadmap,
  readWhatIf,
  type WhatIfChange,
  type WhatIfResult,
} from '../domain/index.ts'
import { loadBuildInputs } from './build.ts'
import type { PipelineDeps } from './deps.ts'

export interface StoreWhatIf {
  result: WhatIfResult
  /** The id of the stored version compared with; null when none was built yet. */
  basedOnVersion: number | null
  /** The calendar, for naming periods. */
  periods: Period[]
  /** The epics the what-if started from (validated, as a build reads them). */
  epics: Epic[]
}

/**
 * A what-if against the store: the inputs a build would read now (loadBuildInputs: epics,
 * overrides in force, the latest version, the ledger digest, the settings, deps.now()), the changes
 * applied to copies, and the build a real change would cause — then nothing is written. Throws a
 * DomainError naming each invalid change. `changesFor` may turn keys into ids once the epics are known.
 */
export async function runWhatIf(
  deps: Pick<PipelineDeps, 'config' | 'database' | 'now'>,
  changes: readonly WhatIfChange[] | ((epics: readonly Epic[]) => WhatIfChange[]),
): Promise<StoreWhatIf> {
  const inputs = await loadBuildInputs(deps)
  const previous = inputs.previous?.roadmap ?? null
  const applied = applyWhatIf({
    epics: inputs.epics,
    overrides: inputs.overrides,
    settings: inputs.settings,
    previous,
    ledger: inputs.ledger,
    now: inputs.now,
    changes: typeof changes === 'function' ? changes(inputs.epics) : changes,
  })
  const { roadmap, events } = buildRoadmap({ ...applied, previous })
  // The same problems a real build stores, so only the ones the changes cause read as new.
  const built: Roadmap = {
    ...roadmap,
    problems: [...roadmap.problems, ...inputs.invalid, ...inputs.unresolved],
  }
  return {
    result: readWhatIf(previous, built, events),
    basedOnVersion: inputs.previous?.id ?? null,
    periods: inputs.settings.periods,
    epics: inputs.epics,
  }
}
