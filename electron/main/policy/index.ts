export { loadPolicy, lockedDownPolicy, maxPolicyBytes, type LoadedPolicy } from './load'
export { defaultSettings, isSipDomainAllowed, mergeSettings } from './merge'
export { policyFileEnv, policyFilePath, type PolicyPathOptions } from './paths'
export { createPolicyService, type PolicyService, type PolicyServiceDeps } from './service'
