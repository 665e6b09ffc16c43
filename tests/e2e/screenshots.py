"""Take full-page screenshots of a built site: front page and an article, phone and desktop, light and dark.

    python tests/e2e/screenshots.py [SITE] [--out /tmp/digest-shots] [--article REL_PATH]

SITE defaults to a fresh build of the shared seeds (../shared/fixtures/raw) in a temporary
directory. The site is served under /digest/ on 127.0.0.1, like a GitHub Pages project site,
and shot by tests/e2e/screenshots.mjs (playwright-core driving /usr/bin/chromium) into
OUT/{front,article,article-lang}-{phone,desktop}-{light,dark}[-top].png
(article-lang: an article in a language other than the site's, if there is one). Look at the pictures: this is not a test.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

import sitehost


def main(argv: list[str] | None = None) -> int:
    """Build (if needed), serve and shoot the site; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", type=Path, help="a built site (default: build the shared seeds)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/digest-shots"), help="where the PNGs go")
    parser.add_argument("--article", help="article page to shoot, relative to the site (default: the first one)")
    args = parser.parse_args(argv)
    missing = sitehost.missing_tools()
    if missing:
        print(f"screenshots: cannot run, missing: {', '.join(missing)}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="digest-shots-") as tmp:
        site = args.site or sitehost.build_seed_site(Path(tmp))
        targets = ["front=./"]
        if args.article:
            targets.append(f"article={args.article}")
        else:
            pages = sitehost.article_pages(site)
            if not pages:
                print(f"screenshots: no article pages under {site}", file=sys.stderr)
                return 1
            # the newest article that shows most of the template (related articles), in the site's
            # language, and the newest one in another language (its own lang, script, and length)
            texts = {p: p.read_text("utf-8") for p in reversed(pages)}
            rich = [p for p, text in texts.items() if 'class="related"' in text] or list(texts)
            foreign = [p for p in rich if re.search(r'<article[^>]*\slang="', texts[p])]
            native = [p for p in rich if p not in foreign] or rich
            targets.append(f"article={native[0].parent.relative_to(site).as_posix()}/")
            if foreign:
                targets.append(f"article-lang={foreign[0].parent.relative_to(site).as_posix()}/")
        print(f"shooting {', '.join(targets)} (of {site})")
        with sitehost.served(site) as url:
            proc = sitehost.run_node("screenshots.mjs", url, str(args.out), *targets)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
