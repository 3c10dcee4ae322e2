import { BITMAP_TRANSLATORS } from './bitmap.js';
import { GENERIC_TRANSLATORS } from './generic.js';
import { HASH_TRANSLATORS } from './hash.js';
import { LIST_TRANSLATORS } from './list.js';
import { PUBSUB_TRANSLATORS } from './pubsub.js';
import { SCRIPTING_TRANSLATORS } from './scripting.js';
import { SERVER_TRANSLATORS } from './server.js';
import { SET_TRANSLATORS } from './set.js';
import { SORTED_SET_TRANSLATORS } from './sorted-set.js';
import { STREAM_TRANSLATORS } from './stream.js';
import { STRING_TRANSLATORS } from './string.js';
import { TRANSACTIONS_TRANSLATORS } from './transactions.js';
import type { TranslatorTable } from './types.js';

/**
 * Every command of the table, translated or refused with a reason. Each group
 * file must name every command of its group (`GroupTranslators`), so adding a
 * command to the grammar fails the type check until it has a line there.
 */
export const TRANSLATORS: TranslatorTable = {
  ...STRING_TRANSLATORS,
  ...BITMAP_TRANSLATORS,
  ...GENERIC_TRANSLATORS,
  ...HASH_TRANSLATORS,
  ...LIST_TRANSLATORS,
  ...SET_TRANSLATORS,
  ...SORTED_SET_TRANSLATORS,
  ...STREAM_TRANSLATORS,
  ...PUBSUB_TRANSLATORS,
  ...TRANSACTIONS_TRANSLATORS,
  ...SCRIPTING_TRANSLATORS,
  ...SERVER_TRANSLATORS,
};
