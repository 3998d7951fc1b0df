package io.sqlcache.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One pass of a MySQL-aware lexer over a SQL text: what the analyzer needs before and
 * besides JSqlParser. Immutable; built by {@link #lex(String)}, which never throws.
 *
 * <p>We lex ourselves because JSqlParser's comment rules are not MySQL's: it drops
 * {@code --1} ({@code 1--1} is {@code 1 - -1} in MySQL), {@code //…} and the executable
 * {@code /*! … *}{@code /} comments that MySQL runs, and it cannot read {@code #} comments.
 * The parser therefore only ever sees {@link #parseText}, which holds no comments at all.
 *
 * @param cacheText          the text with sqlcache hint comments removed, trimmed
 * @param parseText          the text with every comment replaced by a space, {@code --}
 *                           and {@code //} outside comments split so no parser reads them as
 *                           comments, and trailing semicolons dropped
 * @param tokens             the code tokens of {@code parseText}, in order
 * @param hints              the sqlcache hints found
 * @param executableComment  a {@code /*!} or {@code /*M!} comment was seen: MySQL runs its
 *                           content, which we do not analyse
 * @param multipleStatements a semicolon is followed by more code
 * @param unterminated       a string, quoted name or comment is not closed
 * @param backslashAmbiguous the text reads differently under {@code NO_BACKSLASH_ESCAPES}
 * @param shape              the text's code with every number literal (digits only) and every
 *                           single-quoted string replaced by a marker, white space and comments
 *                           by one space: texts that differ only in those literals have the
 *                           same shape, and parse to the same tree but for the literals'
 *                           values. {@code null} when the text has no safe shape (see
 *                           {@link Lexer#shape()})
 */
record SqlText(
        String cacheText,
        String parseText,
        List<Token> tokens,
        Hints hints,
        boolean executableComment,
        boolean multipleStatements,
        boolean unterminated,
        boolean backslashAmbiguous,
        String shape) {

    /** Stands for a number literal in a {@link #shape}; a control character, so it cannot be code. */
    static final String NUMBER_MARK = "\u0001N";
    /** Stands for a single-quoted string literal in a {@link #shape}. */
    static final String STRING_MARK = "\u0001S";

    /** A code token: a word, a back-quoted name, a string literal or one symbol character. */
    record Token(Type type, String text, int start, int end) {

        enum Type { WORD, QUOTED_NAME, STRING, SYMBOL }

        /** True for an unquoted word equal, ignoring case, to {@code keyword}. */
        boolean is(String keyword) {
            return type == Type.WORD && text.equalsIgnoreCase(keyword);
        }

        boolean isSymbol(char c) {
            return type == Type.SYMBOL && text.length() == 1 && text.charAt(0) == c;
        }

        /** A word or a back-quoted name: something that can name a table. */
        boolean isName() {
            return type == Type.WORD || type == Type.QUOTED_NAME;
        }

        String upper() {
            return text.toUpperCase(Locale.ROOT);
        }
    }

    /**
     * The sqlcache hints of one text.
     *
     * @param skip       a {@code sqlcache:skip} hint was present
     * @param ttlSeconds the TTL of a valid {@code sqlcache:ttl=N} hint, or {@code null}
     * @param invalid    a description of the first malformed sqlcache hint, or {@code null}
     */
    record Hints(boolean skip, Integer ttlSeconds, String invalid) {
        static final Hints NONE = new Hints(false, null, null);
    }

    private static final Pattern HINT = Pattern.compile(
            "\\s*sqlcache\\s*:\\s*(.*?)\\s*", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern TTL = Pattern.compile(
            "ttl\\s*=\\s*(\\S*)", Pattern.CASE_INSENSITIVE);

    /** Lexes {@code sql} (never null) with MySQL's default rules (backslash escapes on). */
    static SqlText lex(String sql) {
        Lexer lexer = new Lexer(sql, true);
        lexer.run();
        boolean ambiguous = false;
        if (lexer.backslashBeforeQuote && !lexer.unterminated) {
            // Under NO_BACKSLASH_ESCAPES the string ends at that quote. If the text then still
            // lexes to a complete statement whose code differs, the two readings may name
            // different tables: we cannot tell which one the server will use.
            Lexer other = new Lexer(sql, false);
            other.run();
            ambiguous = !other.unterminated && !sameCode(lexer.tokens, other.tokens);
        }
        return new SqlText(
                lexer.cache.toString().trim(),
                lexer.parse.toString().trim(),
                List.copyOf(lexer.tokens),
                lexer.hints(),
                lexer.executable,
                lexer.multiple,
                lexer.unterminated,
                ambiguous,
                lexer.shape());
    }

    private static boolean sameCode(List<Token> a, List<Token> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).type() != b.get(i).type() || !a.get(i).text().equals(b.get(i).text())) {
                return false;
            }
        }
        return true;
    }

    /** The lexer's state while it walks one text. */
    private static final class Lexer {
        private final String sql;
        private final boolean backslashEscapes;
        private final StringBuilder cache = new StringBuilder();
        private final StringBuilder parse = new StringBuilder();
        private final List<Token> tokens = new ArrayList<>();
        private boolean executable;
        private boolean multiple;
        private boolean unterminated;
        private boolean backslashBeforeQuote;
        private boolean skip;
        private Integer ttl;
        private String invalid;
        private boolean afterSemicolon;
        private int pos;
        private final StringBuilder shape = new StringBuilder();
        /** White space or a comment since the last token: one space in the shape. */
        private boolean separated;
        private boolean shapeless;

        Lexer(String sql, boolean backslashEscapes) {
            this.sql = sql;
            this.backslashEscapes = backslashEscapes;
        }

        /**
         * The shape, or {@code null} when texts of this shape might not parse alike: an
         * unterminated or multi-statement text, an executable comment, a backslash before a
         * quote (the text reads differently under NO_BACKSLASH_ESCAPES), or a control
         * character in the code (which could spell a marker).
         */
        String shape() {
            return shapeless || unterminated || multiple || executable || backslashBeforeQuote ? null : shape.toString();
        }

        private void shapeToken(String text) {
            if (separated && shape.length() > 0) {
                shape.append(' ');
            }
            separated = false;
            shape.append(text);
        }

        Hints hints() {
            return !skip && ttl == null && invalid == null ? Hints.NONE : new Hints(skip, ttl, invalid);
        }

        void run() {
            int n = sql.length();
            while (pos < n) {
                char c = sql.charAt(pos);
                char next = pos + 1 < n ? sql.charAt(pos + 1) : '\0';
                if (c == '/' && next == '*') {
                    blockComment();
                } else if (c == '#' || (c == '-' && next == '-' && isDashCommentStart(pos + 2))) {
                    lineComment();
                } else if (c == '\'' || c == '"') {
                    quoted(c, Token.Type.STRING);
                } else if (c == '`') {
                    quoted(c, Token.Type.QUOTED_NAME);
                } else if (Character.isWhitespace(c)) {
                    separated = true;
                    cache.append(c);
                    parse.append(c);
                    pos++;
                } else if (isWordChar(c)) {
                    word();
                } else {
                    symbol(c, next);
                }
            }
            // Trailing semicolons end the only statement; they are not part of it.
            while (!tokens.isEmpty() && tokens.get(tokens.size() - 1).isSymbol(';')) {
                Token last = tokens.remove(tokens.size() - 1);
                parse.replace(last.start(), last.end(), " ");
            }
        }

        /** MySQL needs white space or a control character after {@code --} for a comment. */
        private boolean isDashCommentStart(int after) {
            return after >= sql.length() || sql.charAt(after) <= ' ';
        }

        private void code() {
            if (afterSemicolon) {
                multiple = true;
            }
        }

        private void symbol(char c, char next) {
            code();
            int start = parse.length();
            parse.append(c);
            cache.append(c);
            pos++;
            if ((c == '-' && next == '-') || (c == '/' && next == '/')) {
                // not a comment for MySQL (checked above); keep JSqlParser from reading one
                parse.append(' ');
            }
            tokens.add(new Token(Token.Type.SYMBOL, String.valueOf(c), start, start + 1));
            if (c < ' ') {
                shapeless = true;
            }
            shapeToken(String.valueOf(c));
            if (c == ';') {
                afterSemicolon = true;
            }
        }

        private void word() {
            code();
            int begin = pos;
            while (pos < sql.length() && isWordChar(sql.charAt(pos))) {
                pos++;
            }
            String text = sql.substring(begin, pos);
            int start = parse.length();
            parse.append(text);
            cache.append(text);
            Token previous = tokens.isEmpty() ? null : tokens.get(tokens.size() - 1);
            tokens.add(new Token(Token.Type.WORD, text, start, parse.length()));
            // Digits only: a number, since MySQL requires a name of digits only to be quoted,
            // except right after a dot (db.5 is table 5 of db, t.5 column 5 of t) or an at
            // sign (@1 is a variable). 1e5, 0x1F, 1abc stay as they are.
            boolean name = previous != null && (previous.isSymbol('.') || previous.isSymbol('@'));
            shapeToken(!name && isDigits(text) ? NUMBER_MARK : text);
        }

        private void quoted(char quote, Token.Type type) {
            code();
            int begin = pos;
            StringBuilder value = new StringBuilder();
            pos++;
            boolean closed = false;
            while (pos < sql.length()) {
                char c = sql.charAt(pos);
                if (c == '\\' && quote != '`' && pos + 1 < sql.length()) {
                    if (sql.charAt(pos + 1) == quote) {
                        backslashBeforeQuote = true;
                    }
                    if (backslashEscapes) {
                        value.append(sql.charAt(pos + 1));
                        pos += 2;
                        continue;
                    }
                }
                if (c == quote) {
                    if (pos + 1 < sql.length() && sql.charAt(pos + 1) == quote) {
                        value.append(quote);
                        pos += 2;
                        continue;
                    }
                    pos++;
                    closed = true;
                    break;
                }
                value.append(c);
                pos++;
            }
            if (!closed) {
                unterminated = true;
            }
            String text = sql.substring(begin, pos);
            int start = parse.length();
            if (quote == '\'' && closed) {
                // JSqlParser 5.3 does not read backslash escapes ('O\'Brien'); we did, so hand
                // it the same value in the standard spelling. The value never names a table.
                parse.append('\'').append(value.toString().replace("'", "''")).append('\'');
            } else {
                parse.append(text);
            }
            cache.append(text);
            tokens.add(new Token(type, value.toString(), start, parse.length()));
            // only single quotes make a string in every sql_mode ("…" names a column under ANSI_QUOTES)
            shapeToken(quote == '\'' && closed ? STRING_MARK : text);
        }

        private void lineComment() {
            separated = true;
            int end = sql.indexOf('\n', pos);
            end = end < 0 ? sql.length() : end;
            cache.append(sql, pos, end);
            parse.append(' ');
            pos = end;
        }

        private void blockComment() {
            separated = true;
            int end = sql.indexOf("*/", pos + 2);
            if (end < 0) {
                unterminated = true;
                cache.append(sql, pos, sql.length());
                pos = sql.length();
                return;
            }
            String body = sql.substring(pos + 2, end);
            if (body.startsWith("!") || body.startsWith("M!")) {
                executable = true;
            }
            Matcher hint = HINT.matcher(body);
            if (hint.matches()) {
                hint(hint.group(1));
                // drop the hint from the key text, without gluing two tokens together
                if (cache.length() > 0 && !Character.isWhitespace(cache.charAt(cache.length() - 1))
                        && end + 2 < sql.length() && !Character.isWhitespace(sql.charAt(end + 2))) {
                    cache.append(' ');
                }
            } else {
                cache.append(sql, pos, end + 2);
            }
            parse.append(' ');
            pos = end + 2;
        }

        private void hint(String body) {
            if (body.equalsIgnoreCase("skip")) {
                skip = true;
                return;
            }
            Matcher ttlMatch = TTL.matcher(body);
            if (ttlMatch.matches()) {
                Integer value = positiveInt(ttlMatch.group(1));
                if (value == null) {
                    invalid("invalid sqlcache hint ttl=" + ttlMatch.group(1) + " (want a positive integer)");
                } else if (ttl != null && !ttl.equals(value)) {
                    invalid("invalid sqlcache hint: conflicting ttl values " + ttl + " and " + value);
                } else {
                    ttl = value;
                }
                return;
            }
            invalid("invalid sqlcache hint '" + body + "'");
        }

        private void invalid(String reason) {
            if (invalid == null) {
                invalid = reason;
            }
        }

        private static Integer positiveInt(String s) {
            if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                return null;
            }
            long value = Long.parseLong(s);
            return value > 0 && value <= Integer.MAX_VALUE ? (int) value : null;
        }

        private static boolean isDigits(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    return false;
                }
            }
            return !s.isEmpty();
        }

        /** Characters of MySQL's unquoted identifiers and numbers. */
        private static boolean isWordChar(char c) {
            return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c >= 0x80;
        }
    }
}
