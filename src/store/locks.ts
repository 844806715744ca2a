/**
 * Postgres advisory-lock keys (any constant bigint; one per thing serialised across processes).
 *
 * Version saves and approvals take this one: "the current entries" a save diffs against, and "the
 * newest proposal" an approval checks, must not change under them.
 */
export const VERSION_SAVE_LOCK = 0x6f6e6574
