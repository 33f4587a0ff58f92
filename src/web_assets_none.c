/*
 * web_assets_none.c - no embedded front-end (web_assets.h): used until the
 * build bundles web/; the dashboard then answers its JSON paths only.
 */
#include "web_assets.h"

const struct web_asset *web_asset_find(const char *path)
{
    (void)path;
    return NULL;
}
