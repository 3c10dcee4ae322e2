import type { GroupTranslators } from './types.js';

export const TRANSACTIONS_TRANSLATORS = {} as const satisfies GroupTranslators<'transactions'>;
