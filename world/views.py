from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from world.models import MapAsset, World

IMMUTABLE = "public, max-age=31536000, immutable"


@require_GET
def map_file(request: HttpRequest, slug: str, version: str, path: str) -> HttpResponse:
    """The normalised map and its images, under a versioned URL so they can be cached for good."""
    world = get_object_or_404(World.objects.only("pk", "map_version"), slug=slug)
    if version != world.map_version:
        raise Http404("That version of the map has been replaced.")
    if path == "map.json":
        response: HttpResponse = JsonResponse(World.objects.values_list("map_json", flat=True).get(pk=world.pk))
    else:
        asset = MapAsset.objects.filter(world=world, path=path).only("content", "content_type").first()
        if asset is None:
            raise Http404("No such map file.")
        response = HttpResponse(bytes(asset.content), content_type=asset.content_type)
    response["Cache-Control"] = IMMUTABLE
    return response
