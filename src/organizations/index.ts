export {
  type ApiKeyRecord,
  authenticateSecret,
  checkRedirectUrls,
  createApiKey,
  createOrganization,
  findActiveKeyBySecret,
  getOrganization,
  getOrganizationCached,
  hashSecret,
  type Organization,
  revokeApiKey,
  setAllowedRedirectDomains,
} from "./service.js";
