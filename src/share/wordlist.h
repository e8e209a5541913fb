/* wordlist.h: the 1024 SLIP-0039 words and constant-time conversions.
 *
 * Share words are secret (they encode share values), so neither direction
 * reads the table at a secret index: both scan all 1024 entries and select
 * with masks. 1024 x 8 bytes per word is cheap next to the PBKDF2 rounds. */
#ifndef SQ_SHARE_WORDLIST_H
#define SQ_SHARE_WORDLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SQ_SLIP39_WORDS    1024
#define SQ_SLIP39_WORD_MAX 8      /* longest word; shorter ones are zero-padded */

/* generated: wordlist_data.c */
extern const char sq_slip39_wordlist[SQ_SLIP39_WORDS][SQ_SLIP39_WORD_MAX];

/* sq_slip39_word_index: the index of word[0..len) (ASCII letters, either
 * case) in the list. False when it is not a word. Constant time in the
 * word's content for a given len (the length of a typed word is visible
 * anyway). */
bool sq_slip39_word_index(uint16_t *index, const char *word, size_t len);

/* sq_slip39_word_at: writes word number index (< 1024, masked) to out,
 * zero-padded to 8 bytes, and returns its length. Constant time. */
size_t sq_slip39_word_at(char out[SQ_SLIP39_WORD_MAX], uint16_t index);

#endif
