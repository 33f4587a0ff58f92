# section.sh - sourced by the bench scripts: replace_section DOC TITLE FILE
# puts the Markdown in FILE (which starts with "## TITLE") in place of DOC's
# section of that title, or at its end when DOC has none, and drops trailing
# blank lines. Each section of docs/PERFORMANCE.md is owned by one script.
replace_section() {
    local doc=$1 title=$2 file=$3
    awk -v sect="$file" -v title="$title" '
        function put() { while ((getline l < sect) > 0) print l; close(sect); done = 1 }
        /^## / { if (skip) skip = 0 }
        $0 ~ "^## " title "[[:space:]]*$" { if (!done) { put(); print "" } skip = 1; next }
        !skip { print }
        END { if (!done) { print ""; put() } }' "$doc" > "$doc.tmp" || return 1
    awk '{ a[NR] = $0 } END { n = NR; while (n > 0 && a[n] == "") n--; for (i = 1; i <= n; i++) print a[i] }' \
        "$doc.tmp" > "$doc" && rm -f "$doc.tmp"
}
