"""Static files in production: hashed names for the ES modules' own imports too."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """main.<hash>.js imports ./store.<hash>.js rather than ./store.js: every module can be cached
    for good, and a deploy never mixes an old module with a new one (no build step needed)."""

    support_js_module_import_aggregation = True
