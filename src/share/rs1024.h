/* rs1024.h: the RS1024 checksum of SLIP-0039 (a Reed-Solomon code over
 * GF(1024) appended as three 10-bit words). The customization string is
 * "shamir" for ext = 0 shares and "shamir_extendable" for ext = 1. */
#ifndef SQ_SHARE_RS1024_H
#define SQ_SHARE_RS1024_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SQ_RS1024_CHECKSUM_WORDS 3

/* sq_rs1024_create: the three checksum words for data[0..len) (10-bit
 * values), written to out. Branch-free over the word values. */
void sq_rs1024_create(uint16_t out[SQ_RS1024_CHECKSUM_WORDS], const uint16_t *data,
                      size_t len, bool extendable);

/* sq_rs1024_verify: whether words[0..len) (data followed by its three
 * checksum words) carry a valid checksum. Only the verdict depends on the
 * values. */
bool sq_rs1024_verify(const uint16_t *words, size_t len, bool extendable);

/* sq_rs1024_locate: for words that fail the checksum, the 1-based position
 * of the one word whose change makes them pass, or 0 when no single change
 * does (two or more wrong words; RS1024's distance of 4 makes a single
 * position unique). The word that would fit is not returned. */
unsigned sq_rs1024_locate(const uint16_t *words, size_t len);

#endif
