"""The catalogue: VTubers and their screening, uploads and file types, gacha line-ups, the public
storefront (lists, detail, disclosure) and moderation."""
