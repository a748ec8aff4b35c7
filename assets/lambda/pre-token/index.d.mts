// Types for the tests (TypeScript); not part of the deployed function (excluded from the asset).
export declare const handler: (event: Record<string, any>) => Promise<Record<string, any>>;
