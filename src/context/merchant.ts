/** The authenticated merchant behind an API key: every query is scoped to both tenant fields. */
export type Merchant = {
  organizationId: string;
  livemode: boolean;
  apiKeyId: string;
};
