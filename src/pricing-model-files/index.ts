export { exportPricingModel } from "./export-file.js";
export { importPricingModel } from "./import-file.js";
export { registerPricingModelFileRoutes } from "./routes.js";
export { PricingModelFile } from "./schemas.js";
