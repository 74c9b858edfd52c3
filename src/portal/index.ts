export { deleteExpiredPortalAccess } from "./access.js";
export { createPortalLinkFor, portalLinkUrl } from "./create-link.js";
export { registerPortalApiRoutes } from "./routes-api.js";
export { registerPortalPages } from "./routes-pages.js";
