export { DEFAULT_CONFIG_PATH, type Environment, readEnvironment } from './environment.ts'
export { ConfigError, EXAMPLE_CONFIG, loadConfig, parseConfig } from './load.ts'
export {
  higherRole,
  isRoadmapOwner,
  namesPerson,
  ownersOf,
  ownsTeam,
  type Person,
  personByEmail,
  personBySlackUser,
  personFrom,
  type Role,
  signOffRefusal,
  teamsOwnedBy,
} from './owners.ts'
export { reportSettings, roadmapSettings } from './roadmap-settings.ts'
export type {
  AuthConfig,
  ChannelConfig,
  OnetrackConfig,
  RoadmapConfig,
  ServerConfig,
  SourceConfig,
  TeamConfig,
} from './schema.ts'
export { Secret } from './secret.ts'
