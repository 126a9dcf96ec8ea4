/**
 * The bundled HumanEval-style problems, written for this project (not taken from the official
 * set). Each has a prompt (signature + docstring with examples), a canonical body, a `check`
 * function with edge cases, and `mutants`: plausible wrong bodies that the tests must reject.
 * The mutants are not part of the dataset file; tests use them to show the tests have teeth,
 * and the sandbox benchmark uses them as failing candidates.
 */

/** One authored problem. `solution` and `mutants` are function bodies (indented 4 spaces). */
export interface AuthoredProblem {
  name: string;
  prompt: string;
  solution: string;
  test: string;
  mutants: string[];
}

const LIST = 'from typing import List\n\n\n';

export const HUMANEVAL_PROBLEMS: AuthoredProblem[] = [
  {
    name: 'count_vowels',
    prompt: `def count_vowels(text: str) -> int:
    """Return how many vowels (a, e, i, o, u, in either case) appear in text.
    >>> count_vowels('Orchestra')
    3
    >>> count_vowels('rhythm')
    0
    """
`,
    solution: `    return sum(1 for ch in text.lower() if ch in 'aeiou')
`,
    test: `def check(candidate):
    assert candidate('Orchestra') == 3
    assert candidate('rhythm') == 0
    assert candidate('') == 0
    assert candidate('AEIOU aeiou') == 10
    assert candidate('Yy') == 0
`,
    mutants: [`    return sum(1 for ch in text if ch in 'aeiou')
`, `    return sum(1 for ch in text.lower() if ch in 'aeiouy')
`],
  },
  {
    name: 'second_largest',
    prompt: `${LIST}def second_largest(numbers: List[int]) -> int:
    """Return the second largest distinct value in numbers.
    The list always holds at least two different values.
    >>> second_largest([4, 1, 7, 3])
    4
    >>> second_largest([5, 5, 2])
    2
    """
`,
    solution: `    return sorted(set(numbers))[-2]
`,
    test: `def check(candidate):
    assert candidate([4, 1, 7, 3]) == 4
    assert candidate([5, 5, 2]) == 2
    assert candidate([9, 9, 9, 8]) == 8
    assert candidate([-1, -5, -3]) == -3
    assert candidate([2, 10]) == 2
`,
    mutants: [`    return sorted(numbers)[-2]
`, `    return sorted(set(numbers))[1]
`],
  },
  {
    name: 'running_max',
    prompt: `${LIST}def running_max(values: List[int]) -> List[int]:
    """Return a list whose i-th element is the largest of values[0..i].
    >>> running_max([1, 3, 2, 5, 4])
    [1, 3, 3, 5, 5]
    """
`,
    solution: `    result = []
    best = None
    for v in values:
        best = v if best is None or v > best else best
        result.append(best)
    return result
`,
    test: `def check(candidate):
    assert candidate([1, 3, 2, 5, 4]) == [1, 3, 3, 5, 5]
    assert candidate([]) == []
    assert candidate([-3, -7, -1]) == [-3, -3, -1]
    assert candidate([2, 2, 2]) == [2, 2, 2]
    assert candidate([5, 4, 3]) == [5, 5, 5]
`,
    mutants: [`    result = []
    best = 0
    for v in values:
        best = max(best, v)
        result.append(best)
    return result
`, `    return [max(values[:i]) if i else values[0] for i in range(len(values))]
`],
  },
  {
    name: 'is_palindrome_phrase',
    prompt: `def is_palindrome_phrase(text: str) -> bool:
    """Return True if text reads the same forwards and backwards when only letters and digits
    are kept and case is ignored.
    >>> is_palindrome_phrase('Never odd or even')
    True
    >>> is_palindrome_phrase('Orchestra')
    False
    """
`,
    solution: `    kept = [ch.lower() for ch in text if ch.isalnum()]
    return kept == kept[::-1]
`,
    test: `def check(candidate):
    assert candidate('Never odd or even') is True
    assert candidate('Orchestra') is False
    assert candidate('') is True
    assert candidate('No lemon, no melon!') is True
    assert candidate('12321') is True
    assert candidate('ab') is False
`,
    mutants: [`    return text == text[::-1]
`, `    kept = text.lower().replace(' ', '')
    return kept == kept[::-1]
`],
  },
  {
    name: 'compress_runs',
    prompt: `def compress_runs(text: str) -> str:
    """Replace each run of a repeated character by the character followed by the run length.
    >>> compress_runs('aaabcc')
    'a3b1c2'
    >>> compress_runs('')
    ''
    """
`,
    solution: `    out = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and text[j] == text[i]:
            j += 1
        out.append(text[i] + str(j - i))
        i = j
    return ''.join(out)
`,
    test: `def check(candidate):
    assert candidate('aaabcc') == 'a3b1c2'
    assert candidate('') == ''
    assert candidate('z') == 'z1'
    assert candidate('aabbaa') == 'a2b2a2'
    assert candidate('x' * 12) == 'x12'
`,
    mutants: [`    out = []
    count = 1
    for i in range(1, len(text)):
        if text[i] == text[i - 1]:
            count += 1
        else:
            out.append(text[i - 1] + str(count))
            count = 1
    return ''.join(out)
`, `    from collections import Counter
    return ''.join(ch + str(n) for ch, n in Counter(text).items())
`],
  },
  {
    name: 'digital_root',
    prompt: `def digital_root(n: int) -> int:
    """Repeatedly sum the decimal digits of a non-negative integer until one digit remains.
    >>> digital_root(9875)
    2
    >>> digital_root(0)
    0
    """
`,
    solution: `    while n >= 10:
        n = sum(int(d) for d in str(n))
    return n
`,
    test: `def check(candidate):
    assert candidate(9875) == 2
    assert candidate(0) == 0
    assert candidate(7) == 7
    assert candidate(99) == 9
    assert candidate(123456789) == 9
`,
    mutants: [`    return sum(int(d) for d in str(n))
`, `    return n % 9
`],
  },
  {
    name: 'merge_sorted',
    prompt: `${LIST}def merge_sorted(a: List[int], b: List[int]) -> List[int]:
    """Merge two ascending lists into one ascending list, keeping duplicates.
    >>> merge_sorted([1, 4, 9], [2, 4, 10])
    [1, 2, 4, 4, 9, 10]
    """
`,
    solution: `    i = j = 0
    out = []
    while i < len(a) and j < len(b):
        if a[i] <= b[j]:
            out.append(a[i])
            i += 1
        else:
            out.append(b[j])
            j += 1
    return out + a[i:] + b[j:]
`,
    test: `def check(candidate):
    assert candidate([1, 4, 9], [2, 4, 10]) == [1, 2, 4, 4, 9, 10]
    assert candidate([], [3]) == [3]
    assert candidate([5], []) == [5]
    assert candidate([1, 2], [3, 4]) == [1, 2, 3, 4]
    assert candidate([3, 4], [1, 2]) == [1, 2, 3, 4]
`,
    mutants: [`    return a + b
`, `    return sorted(set(a + b))
`],
  },
  {
    name: 'rotate_left',
    prompt: `${LIST}def rotate_left(items: List[int], k: int) -> List[int]:
    """Rotate items left by k positions; k may be larger than the list. An empty list stays empty.
    >>> rotate_left([1, 2, 3, 4, 5], 2)
    [3, 4, 5, 1, 2]
    """
`,
    solution: `    if not items:
        return []
    k %= len(items)
    return items[k:] + items[:k]
`,
    test: `def check(candidate):
    assert candidate([1, 2, 3, 4, 5], 2) == [3, 4, 5, 1, 2]
    assert candidate([1, 2, 3], 0) == [1, 2, 3]
    assert candidate([1, 2, 3], 4) == [2, 3, 1]
    assert candidate([], 3) == []
    assert candidate([7], 100) == [7]
`,
    mutants: [`    return items[k:] + items[:k]
`, `    if not items:
        return []
    k %= len(items)
    return items[-k:] + items[:-k]
`],
  },
  {
    name: 'word_counts',
    prompt: `def word_counts(text: str) -> dict:
    """Count the words of text (split on whitespace), ignoring case.
    >>> word_counts('the cat The dog')
    {'the': 2, 'cat': 1, 'dog': 1}
    """
`,
    solution: `    counts = {}
    for word in text.lower().split():
        counts[word] = counts.get(word, 0) + 1
    return counts
`,
    test: `def check(candidate):
    assert candidate('the cat The dog') == {'the': 2, 'cat': 1, 'dog': 1}
    assert candidate('') == {}
    assert candidate('  spaced   out  ') == {'spaced': 1, 'out': 1}
    assert candidate('A a A') == {'a': 3}
`,
    mutants: [`    counts = {}
    for word in text.split():
        counts[word] = counts.get(word, 0) + 1
    return counts
`, `    counts = {}
    for word in text.lower().split(' '):
        counts[word] = counts.get(word, 0) + 1
    return counts
`],
  },
  {
    name: 'fizzbuzz',
    prompt: `${LIST}def fizzbuzz(n: int) -> List[str]:
    """Return the strings for 1..n: 'Fizz' for multiples of 3, 'Buzz' for multiples of 5,
    'FizzBuzz' for multiples of both, otherwise the number itself.
    >>> fizzbuzz(5)
    ['1', '2', 'Fizz', '4', 'Buzz']
    """
`,
    solution: `    out = []
    for i in range(1, n + 1):
        if i % 15 == 0:
            out.append('FizzBuzz')
        elif i % 3 == 0:
            out.append('Fizz')
        elif i % 5 == 0:
            out.append('Buzz')
        else:
            out.append(str(i))
    return out
`,
    test: `def check(candidate):
    assert candidate(5) == ['1', '2', 'Fizz', '4', 'Buzz']
    assert candidate(0) == []
    assert candidate(15)[-1] == 'FizzBuzz'
    assert candidate(30).count('FizzBuzz') == 2
    assert len(candidate(16)) == 16
`,
    mutants: [`    out = []
    for i in range(1, n + 1):
        if i % 3 == 0:
            out.append('Fizz')
        elif i % 5 == 0:
            out.append('Buzz')
        elif i % 15 == 0:
            out.append('FizzBuzz')
        else:
            out.append(str(i))
    return out
`, `    return [('Fizz' * (i % 3 == 0) + 'Buzz' * (i % 5 == 0)) or str(i) for i in range(1, n)]
`],
  },
  {
    name: 'gcd_of_list',
    prompt: `${LIST}def gcd_of_list(numbers: List[int]) -> int:
    """Return the greatest common divisor of a non-empty list of positive integers.
    >>> gcd_of_list([12, 18, 30])
    6
    """
`,
    solution: `    from math import gcd
    result = numbers[0]
    for x in numbers[1:]:
        result = gcd(result, x)
    return result
`,
    test: `def check(candidate):
    assert candidate([12, 18, 30]) == 6
    assert candidate([7]) == 7
    assert candidate([8, 12]) == 4
    assert candidate([17, 34, 51]) == 17
    assert candidate([9, 28]) == 1
    assert candidate([6, 10, 15]) == 1
`,
    mutants: [`    return min(numbers)
`, `    from math import gcd
    return gcd(numbers[0], numbers[-1])
`],
  },
  {
    name: 'is_prime',
    prompt: `def is_prime(n: int) -> bool:
    """Return True if n is a prime number.
    >>> is_prime(13)
    True
    >>> is_prime(1)
    False
    """
`,
    solution: `    if n < 2:
        return False
    i = 2
    while i * i <= n:
        if n % i == 0:
            return False
        i += 1
    return True
`,
    test: `def check(candidate):
    assert candidate(13) is True
    assert candidate(1) is False
    assert candidate(0) is False
    assert candidate(2) is True
    assert candidate(49) is False
    assert candidate(97) is True
    assert candidate(-7) is False
`,
    mutants: [`    for i in range(2, n):
        if n % i == 0:
            return False
    return True
`, `    if n < 2:
        return False
    for i in range(2, int(n ** 0.5)):
        if n % i == 0:
            return False
    return True
`],
  },
  {
    name: 'flatten',
    prompt: `def flatten(nested: list) -> list:
    """Flatten arbitrarily nested lists into one list, keeping left-to-right order.
    >>> flatten([1, [2, [3, 4]], 5])
    [1, 2, 3, 4, 5]
    """
`,
    solution: `    out = []
    for x in nested:
        if isinstance(x, list):
            out.extend(flatten(x))
        else:
            out.append(x)
    return out
`,
    test: `def check(candidate):
    assert candidate([1, [2, [3, 4]], 5]) == [1, 2, 3, 4, 5]
    assert candidate([]) == []
    assert candidate([[[]]]) == []
    assert candidate([[1, 2], [3]]) == [1, 2, 3]
    assert candidate([['a', ['b']], 'c']) == ['a', 'b', 'c']
`,
    mutants: [`    out = []
    for x in nested:
        if isinstance(x, list):
            out.extend(x)
        else:
            out.append(x)
    return out
`],
  },
  {
    name: 'balanced_brackets',
    prompt: `def balanced_brackets(text: str) -> bool:
    """Return True if every (, [ and { in text is closed by the matching bracket in the right
    order. Other characters are ignored.
    >>> balanced_brackets('f(a[1]) {ok}')
    True
    >>> balanced_brackets('([)]')
    False
    """
`,
    solution: `    pairs = {')': '(', ']': '[', '}': '{'}
    stack = []
    for ch in text:
        if ch in '([{':
            stack.append(ch)
        elif ch in pairs:
            if not stack or stack.pop() != pairs[ch]:
                return False
    return not stack
`,
    test: `def check(candidate):
    assert candidate('f(a[1]) {ok}') is True
    assert candidate('([)]') is False
    assert candidate('') is True
    assert candidate('((') is False
    assert candidate(')(') is False
    assert candidate('{[()()]}') is True
`,
    mutants: [`    return text.count('(') == text.count(')') and text.count('[') == text.count(']') and text.count('{') == text.count('}')
`, `    depth = 0
    for ch in text:
        if ch in '([{':
            depth += 1
        elif ch in ')]}':
            depth -= 1
    return depth == 0
`],
  },
  {
    name: 'caesar_shift',
    prompt: `def caesar_shift(text: str, k: int) -> str:
    """Shift each ASCII letter of text k places along the alphabet, wrapping around and keeping
    its case; k may be negative. Other characters are unchanged.
    >>> caesar_shift('Hello, World', 3)
    'Khoor, Zruog'
    """
`,
    solution: `    out = []
    for ch in text:
        if 'a' <= ch <= 'z':
            out.append(chr((ord(ch) - 97 + k) % 26 + 97))
        elif 'A' <= ch <= 'Z':
            out.append(chr((ord(ch) - 65 + k) % 26 + 65))
        else:
            out.append(ch)
    return ''.join(out)
`,
    test: `def check(candidate):
    assert candidate('Hello, World', 3) == 'Khoor, Zruog'
    assert candidate('xyz', 3) == 'abc'
    assert candidate('XYZ', 3) == 'ABC'
    assert candidate('abc', -1) == 'zab'
    assert candidate('Same', 26) == 'Same'
    assert candidate('', 5) == ''
`,
    mutants: [`    out = []
    for ch in text:
        if ch.isalpha():
            out.append(chr((ord(ch) - 97 + k) % 26 + 97))
        else:
            out.append(ch)
    return ''.join(out)
`, `    return ''.join(chr(ord(ch) + k) if ch.isalpha() else ch for ch in text)
`],
  },
  {
    name: 'median',
    prompt: `${LIST}def median(values: List[float]) -> float:
    """Return the median of a non-empty list (the mean of the two middle values when the
    length is even).
    >>> median([3, 1, 2])
    2
    >>> median([4, 1, 3, 2])
    2.5
    """
`,
    solution: `    s = sorted(values)
    mid = len(s) // 2
    if len(s) % 2:
        return s[mid]
    return (s[mid - 1] + s[mid]) / 2
`,
    test: `def check(candidate):
    assert candidate([3, 1, 2]) == 2
    assert candidate([4, 1, 3, 2]) == 2.5
    assert candidate([7]) == 7
    assert candidate([1, 100]) == 50.5
    assert candidate([5, 5, 1, 9, 2, 8]) == 5
`,
    mutants: [`    s = sorted(values)
    return s[len(s) // 2]
`, `    mid = len(values) // 2
    if len(values) % 2:
        return values[mid]
    return (values[mid - 1] + values[mid]) / 2
`],
  },
  {
    name: 'unique_in_order',
    prompt: `def unique_in_order(sequence) -> list:
    """Return the items of sequence with consecutive repeats collapsed to one, in order.
    >>> unique_in_order('aabbbac')
    ['a', 'b', 'a', 'c']
    """
`,
    solution: `    out = []
    for x in sequence:
        if not out or out[-1] != x:
            out.append(x)
    return out
`,
    test: `def check(candidate):
    assert candidate('aabbbac') == ['a', 'b', 'a', 'c']
    assert candidate('') == []
    assert candidate([1, 1, 2, 1]) == [1, 2, 1]
    assert candidate('abc') == ['a', 'b', 'c']
`,
    mutants: [`    return list(dict.fromkeys(sequence))
`, `    return sorted(set(sequence))
`],
  },
  {
    name: 'capitalize_words',
    prompt: `def capitalize_words(text: str) -> str:
    """Make the first letter of every space-separated word upper case and the rest lower case.
    Words are separated by single spaces.
    >>> capitalize_words("the ORCHESTRA plays")
    'The Orchestra Plays'
    >>> capitalize_words("don't stop")
    "Don't Stop"
    """
`,
    solution: `    return ' '.join(w[:1].upper() + w[1:].lower() for w in text.split(' '))
`,
    test: `def check(candidate):
    assert candidate('the ORCHESTRA plays') == 'The Orchestra Plays'
    assert candidate("don't stop") == "Don't Stop"
    assert candidate('') == ''
    assert candidate('x') == 'X'
    assert candidate('3rd place') == '3rd Place'
`,
    mutants: [`    return text.title()
`, `    return text.capitalize()
`],
  },
  {
    name: 'count_set_bits',
    prompt: `def count_set_bits(n: int) -> int:
    """Return how many 1 bits are in the binary form of a non-negative integer.
    >>> count_set_bits(13)
    3
    """
`,
    solution: `    count = 0
    while n:
        count += n & 1
        n >>= 1
    return count
`,
    test: `def check(candidate):
    assert candidate(13) == 3
    assert candidate(0) == 0
    assert candidate(1) == 1
    assert candidate(255) == 8
    assert candidate(1024) == 1
`,
    mutants: [`    return n.bit_length()
`, `    return len(bin(n)) - 2
`],
  },
  {
    name: 'count_pairs_with_sum',
    prompt: `${LIST}def count_pairs_with_sum(numbers: List[int], target: int) -> int:
    """Count index pairs i < j with numbers[i] + numbers[j] == target.
    >>> count_pairs_with_sum([1, 5, 3, 3, 7], 6)
    2
    """
`,
    solution: `    count = 0
    for i in range(len(numbers)):
        for j in range(i + 1, len(numbers)):
            if numbers[i] + numbers[j] == target:
                count += 1
    return count
`,
    test: `def check(candidate):
    assert candidate([1, 5, 3, 3, 7], 6) == 2
    assert candidate([], 4) == 0
    assert candidate([2, 2, 2], 4) == 3
    assert candidate([1, 2, 3], 10) == 0
    assert candidate([-1, 1, 0, 0], 0) == 2
`,
    mutants: [`    count = 0
    for i in range(len(numbers)):
        for j in range(len(numbers)):
            if i != j and numbers[i] + numbers[j] == target:
                count += 1
    return count
`, `    seen = set(numbers)
    return sum(1 for x in seen if target - x in seen and x < target - x)
`],
  },
  {
    name: 'longest_common_prefix',
    prompt: `${LIST}def longest_common_prefix(words: List[str]) -> str:
    """Return the longest string that every word starts with ('' for an empty list).
    >>> longest_common_prefix(['interview', 'internal', 'interval'])
    'inter'
    """
`,
    solution: `    if not words:
        return ''
    prefix = words[0]
    for w in words[1:]:
        while not w.startswith(prefix):
            prefix = prefix[:-1]
    return prefix
`,
    test: `def check(candidate):
    assert candidate(['interview', 'internal', 'interval']) == 'inter'
    assert candidate([]) == ''
    assert candidate(['solo']) == 'solo'
    assert candidate(['abc', 'abd', 'xbc']) == ''
    assert candidate(['same', 'same']) == 'same'
    assert candidate(['prefix', 'pre', 'prefer']) == 'pre'
`,
    mutants: [`    if len(words) < 2:
        return words[0] if words else ''
    a, b = words[0], words[1]
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return a[:i]
`],
  },
  {
    name: 'transpose',
    prompt: `${LIST}def transpose(matrix: List[List[int]]) -> List[List[int]]:
    """Return the transpose of a rectangular matrix given as a list of rows.
    >>> transpose([[1, 2, 3], [4, 5, 6]])
    [[1, 4], [2, 5], [3, 6]]
    """
`,
    solution: `    if not matrix:
        return []
    return [[row[c] for row in matrix] for c in range(len(matrix[0]))]
`,
    test: `def check(candidate):
    assert candidate([[1, 2, 3], [4, 5, 6]]) == [[1, 4], [2, 5], [3, 6]]
    assert candidate([[1]]) == [[1]]
    assert candidate([]) == []
    assert candidate([[1, 2], [3, 4]]) == [[1, 3], [2, 4]]
    assert candidate([[7], [8], [9]]) == [[7, 8, 9]]
`,
    mutants: [`    n = len(matrix)
    return [[matrix[r][c] for r in range(n)] for c in range(n)]
`],
  },
  {
    name: 'roman_to_int',
    prompt: `def roman_to_int(numeral: str) -> int:
    """Convert a valid Roman numeral (I, V, X, L, C, D, M) to an integer.
    >>> roman_to_int('XIV')
    14
    >>> roman_to_int('MCMXC')
    1990
    """
`,
    solution: `    values = {'I': 1, 'V': 5, 'X': 10, 'L': 50, 'C': 100, 'D': 500, 'M': 1000}
    total = 0
    for i, ch in enumerate(numeral):
        v = values[ch]
        if i + 1 < len(numeral) and values[numeral[i + 1]] > v:
            total -= v
        else:
            total += v
    return total
`,
    test: `def check(candidate):
    assert candidate('XIV') == 14
    assert candidate('MCMXC') == 1990
    assert candidate('III') == 3
    assert candidate('IX') == 9
    assert candidate('MMXXIV') == 2024
    assert candidate('CDXLIV') == 444
`,
    mutants: [`    values = {'I': 1, 'V': 5, 'X': 10, 'L': 50, 'C': 100, 'D': 500, 'M': 1000}
    return sum(values[ch] for ch in numeral)
`],
  },
  {
    name: 'is_anagram',
    prompt: `def is_anagram(a: str, b: str) -> bool:
    """Return True if a and b use the same letters the same number of times, ignoring spaces
    and case.
    >>> is_anagram('Dormitory', 'dirty room')
    True
    """
`,
    solution: `    def norm(s):
        return sorted(s.replace(' ', '').lower())
    return norm(a) == norm(b)
`,
    test: `def check(candidate):
    assert candidate('Dormitory', 'dirty room') is True
    assert candidate('abc', 'abd') is False
    assert candidate('', '') is True
    assert candidate('aab', 'abb') is False
    assert candidate('Listen', 'Silent') is True
`,
    mutants: [`    return sorted(a.replace(' ', '')) == sorted(b.replace(' ', ''))
`, `    return set(a.lower().replace(' ', '')) == set(b.lower().replace(' ', ''))
`],
  },
  {
    name: 'days_in_month',
    prompt: `def days_in_month(month: int, year: int) -> int:
    """Return the number of days in a month (1-12) of a Gregorian calendar year.
    >>> days_in_month(2, 2024)
    29
    >>> days_in_month(4, 2023)
    30
    """
`,
    solution: `    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31
`,
    test: `def check(candidate):
    assert candidate(2, 2024) == 29
    assert candidate(4, 2023) == 30
    assert candidate(2, 1900) == 28
    assert candidate(2, 2000) == 29
    assert candidate(12, 2023) == 31
    assert candidate(2, 2023) == 28
`,
    mutants: [`    if month == 2:
        return 29 if year % 4 == 0 else 28
    return 30 if month in (4, 6, 9, 11) else 31
`, `    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 31 if month % 2 else 30
`],
  },
  {
    name: 'triangle_kind',
    prompt: `def triangle_kind(a: float, b: float, c: float) -> str:
    """Classify a triangle by its side lengths: 'equilateral', 'isosceles' or 'scalene';
    return 'invalid' when the sides cannot form a triangle (a side is not positive, or one
    side is at least the sum of the other two).
    >>> triangle_kind(3, 4, 5)
    'scalene'
    >>> triangle_kind(1, 1, 3)
    'invalid'
    """
`,
    solution: `    x, y, z = sorted((a, b, c))
    if x <= 0 or x + y <= z:
        return 'invalid'
    if x == z:
        return 'equilateral'
    if x == y or y == z:
        return 'isosceles'
    return 'scalene'
`,
    test: `def check(candidate):
    assert candidate(3, 4, 5) == 'scalene'
    assert candidate(1, 1, 3) == 'invalid'
    assert candidate(2, 2, 2) == 'equilateral'
    assert candidate(5, 5, 8) == 'isosceles'
    assert candidate(8, 5, 5) == 'isosceles'
    assert candidate(0, 1, 1) == 'invalid'
    assert candidate(1, 2, 3) == 'invalid'
`,
    mutants: [`    if a == b == c:
        return 'equilateral'
    if a == b or b == c or a == c:
        return 'isosceles'
    return 'scalene'
`, `    x, y, z = sorted((a, b, c))
    if x <= 0 or x + y < z:
        return 'invalid'
    if x == z:
        return 'equilateral'
    if x == y or y == z:
        return 'isosceles'
    return 'scalene'
`],
  },
  {
    name: 'move_zeros',
    prompt: `${LIST}def move_zeros(numbers: List[int]) -> List[int]:
    """Return numbers with every 0 moved to the end, the other values keeping their order.
    >>> move_zeros([0, 3, 0, 1, 2])
    [3, 1, 2, 0, 0]
    """
`,
    solution: `    return [x for x in numbers if x != 0] + [0] * numbers.count(0)
`,
    test: `def check(candidate):
    assert candidate([0, 3, 0, 1, 2]) == [3, 1, 2, 0, 0]
    assert candidate([]) == []
    assert candidate([0, 0]) == [0, 0]
    assert candidate([5, -1, 0, 4]) == [5, -1, 4, 0]
`,
    mutants: [`    return sorted(x for x in numbers if x != 0) + [0] * numbers.count(0)
`, `    return [x for x in numbers if x != 0]
`],
  },
  {
    name: 'find_missing',
    prompt: `${LIST}def find_missing(numbers: List[int]) -> int:
    """numbers holds every integer from 0 to n except one, in any order. Return the missing one.
    >>> find_missing([3, 0, 1])
    2
    """
`,
    solution: `    n = len(numbers)
    return n * (n + 1) // 2 - sum(numbers)
`,
    test: `def check(candidate):
    assert candidate([3, 0, 1]) == 2
    assert candidate([0]) == 1
    assert candidate([1]) == 0
    assert candidate([0, 1, 2, 4, 5]) == 3
    assert candidate([]) == 0
`,
    mutants: [`    n = len(numbers) + 1
    return n * (n + 1) // 2 - sum(numbers)
`, `    return max(numbers) + 1 if numbers else 0
`],
  },
  {
    name: 'chunk',
    prompt: `${LIST}def chunk(items: List[int], size: int) -> List[List[int]]:
    """Split items into consecutive chunks of the given size; the last chunk may be shorter.
    >>> chunk([1, 2, 3, 4, 5], 2)
    [[1, 2], [3, 4], [5]]
    """
`,
    solution: `    return [items[i:i + size] for i in range(0, len(items), size)]
`,
    test: `def check(candidate):
    assert candidate([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
    assert candidate([], 3) == []
    assert candidate([1, 2, 3], 3) == [[1, 2, 3]]
    assert candidate([1, 2, 3], 5) == [[1, 2, 3]]
    assert candidate([1, 2, 3, 4], 1) == [[1], [2], [3], [4]]
`,
    mutants: [`    return [items[i:i + size] for i in range(0, len(items) - size + 1, size)]
`],
  },
  {
    name: 'top_k_frequent',
    prompt: `${LIST}def top_k_frequent(numbers: List[int], k: int) -> List[int]:
    """Return the k most frequent values, most frequent first; ties go to the smaller value.
    >>> top_k_frequent([4, 1, 1, 2, 2, 3, 4, 4], 2)
    [4, 1]
    """
`,
    solution: `    counts = {}
    for x in numbers:
        counts[x] = counts.get(x, 0) + 1
    return sorted(counts, key=lambda v: (-counts[v], v))[:k]
`,
    test: `def check(candidate):
    assert candidate([4, 1, 1, 2, 2, 3, 4, 4], 2) == [4, 1]
    assert candidate([5, 5, 6], 1) == [5]
    assert candidate([3, 2, 1], 3) == [1, 2, 3]
    assert candidate([], 2) == []
    assert candidate([9, 8, 8, 9, 7], 2) == [8, 9]
`,
    mutants: [`    from collections import Counter
    return [v for v, _ in Counter(numbers).most_common(k)]
`, `    counts = {}
    for x in numbers:
        counts[x] = counts.get(x, 0) + 1
    return sorted(counts, key=lambda v: counts[v], reverse=True)[:k]
`],
  },
  {
    name: 'sum_of_multiples',
    prompt: `def sum_of_multiples(limit: int) -> int:
    """Return the sum of the natural numbers below limit that are multiples of 3 or 5.
    >>> sum_of_multiples(10)
    23
    """
`,
    solution: `    return sum(i for i in range(limit) if i % 3 == 0 or i % 5 == 0)
`,
    test: `def check(candidate):
    assert candidate(10) == 23
    assert candidate(0) == 0
    assert candidate(1) == 0
    assert candidate(16) == 60
    assert candidate(1000) == 233168
`,
    mutants: [`    return sum(i for i in range(limit + 1) if i % 3 == 0 or i % 5 == 0)
`, `    return sum(range(0, limit, 3)) + sum(range(0, limit, 5))
`],
  },
];
