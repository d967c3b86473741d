"""Demo worlds: the office tileset and Tiled maps, with the scripts that draw and build them."""
