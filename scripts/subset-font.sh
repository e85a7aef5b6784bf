#!/usr/bin/env bash
# Rebuild assets/fonts/NotoSansSC-Subset.otf from Debian's Noto Sans CJK
# and the character list in assets/fonts/subset-chars.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
src=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
[ -f "$src" ] && /usr/bin/python3 -c 'import fontTools' 2>/dev/null || scripts/deps.sh fonts-noto-cjk python3-fonttools
# Font number 2 in the collection is the Simplified Chinese face.
/usr/bin/python3 -m fontTools.subset "$src" --font-number=2 \
  --text-file=assets/fonts/subset-chars.txt \
  --output-file=assets/fonts/NotoSansSC-Subset.otf \
  --layout-features='kern,palt' --no-hinting --name-IDs='*' --name-languages='*'
ls -l assets/fonts/NotoSansSC-Subset.otf
