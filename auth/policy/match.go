package policy

import "unicode/utf8"

// match reports whether s matches pattern, where '*' matches any run of
// characters ('/' included, as in AWS ARNs) and '?' exactly one character.
// It backtracks only to the most recent '*', so it runs in O(len(pattern) *
// len(s)) at worst, never exponentially, whatever the pattern.
func match(pattern, s string) bool {
	p, i := 0, 0
	star, afterStar := -1, 0 // last '*' seen, and where in s it resumes
	for i < len(s) {
		if p < len(pattern) {
			switch pattern[p] {
			case '*':
				star, afterStar = p, i
				p++
				continue
			case '?':
				_, n := utf8.DecodeRuneInString(s[i:])
				p, i = p+1, i+n
				continue
			default:
				// Byte comparison is exact for UTF-8 text: it is
				// self-synchronising.
				if pattern[p] == s[i] {
					p, i = p+1, i+1
					continue
				}
			}
		}
		if star < 0 {
			return false
		}
		// Let the last '*' swallow one more character and retry.
		_, n := utf8.DecodeRuneInString(s[afterStar:])
		afterStar += n
		p, i = star+1, afterStar
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func hasWildcard(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '*' || s[i] == '?' {
			return true
		}
	}
	return false
}
