"""Turn one asset of a kit into one output file, in the current process."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from tcma.cobrand.render.context import (
    CONTENT_TYPES,
    DOCUMENT_TARGETS,
    TARGETS,
    RenderContext,
    RenderedFile,
    RenderError,
    file_suffix,
)
from tcma.cobrand.render.emails import (
    add_preheader,
    ask_shown_size,
    build_eml,
    inline_css,
    one_line,
)
from tcma.cobrand.render.sandbox import make_environment, render_string
from tcma.cobrand.render.sandbox import render_template as run_template
from tcma.cobrand.render.source import KitSource, find_asset
from tcma.cobrand.render.textify import html_to_text
from tcma.cobrand.render.variables import template_variables

if TYPE_CHECKING:
    from tcma.cobrand.render.fetcher import KitURLFetcher


def _weasy(module: str) -> ModuleType:
    """documents or fetcher, the WeasyPrint side of rendering, loaded on first use.

    Only processes that render documents (render workers, one-off CLI renders) import
    WeasyPrint; web workers importing the engine for its checks and names never do.
    """
    return importlib.import_module(f"tcma.cobrand.render.{module}")


#: Largest file a render may produce.
DEFAULT_MAX_OUTPUT_BYTES = 25 * 1024 * 1024

#: Post length limits, in characters, and how each network is named to a user.
NETWORKS: dict[str, tuple[str, int]] = {
    "linkedin": ("LinkedIn", 3000),
    "x": ("X", 280),
    "facebook": ("Facebook", 63206),
}


class KitEnvironments:
    """The two sandboxes of one kit version: HTML (autoescaped) and plain text."""

    def __init__(self, source: KitSource) -> None:
        self.html = make_environment(source, autoescape=True)
        self.text = make_environment(source, autoescape=False)

    def use(self, source: KitSource) -> None:
        """Read templates not compiled yet through ``source`` (same kit version)."""
        self.html.loader.source = source  # type: ignore[union-attr]
        self.text.loader.source = source  # type: ignore[union-attr]


@dataclass
class _Job:
    source: KitSource
    asset: dict[str, Any]
    ctx: RenderContext
    envs: KitEnvironments
    refused: list[str] = field(default_factory=list)

    def variables(self, *, document: bool) -> dict[str, Any]:
        landing = self.asset.get("kind") == "landing"
        manifest = self.source.manifest
        return template_variables(manifest, self.ctx, document=document, landing=landing)

    def template(self, key: str = "template") -> str:
        path = self.asset.get(key)
        if not isinstance(path, str) or not path:
            raise RenderError(f"The asset {self.asset.get('key')!r} names no {key}")
        return path

    def fetcher(self) -> KitURLFetcher:
        fetcher = _weasy("fetcher").KitURLFetcher(
            self.source.read, self.ctx.brand_logo, self.ctx.field_images
        )
        # The list is shared so the refusals of this render end up in its result.
        fetcher.refused = self.refused
        return fetcher


def output_filename(source: KitSource, asset_key: str, target: str) -> str:
    """The download name of one output, e.g. ``webinar-invitation-datasheet.pdf``."""
    return f"{source.manifest.get('slug') or 'kit'}-{asset_key}{file_suffix(target)}"


def check_target(source: KitSource, asset_key: str, target: str) -> dict[str, Any]:
    """Return the asset if it exists and can become ``target``, else raise RenderError."""
    asset = find_asset(source.manifest, asset_key)
    kind = asset.get("kind")
    if kind not in TARGETS:
        raise RenderError(f"The asset {asset_key!r} has an unknown kind {kind!r}")
    if target not in TARGETS[kind]:
        choices = ", ".join(TARGETS[kind])
        raise RenderError(f"A {kind} asset can be rendered as {choices}, not {target!r}")
    return asset


def render_in_process(
    source: KitSource,
    asset_key: str,
    ctx: RenderContext,
    target: str,
    *,
    environments: KitEnvironments | None = None,
    max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES,
) -> RenderedFile:
    """Render one asset to one target here, with no time limit (the pool adds one)."""
    asset = check_target(source, asset_key, target)
    job = _Job(source, asset, ctx, environments or KitEnvironments(source))
    data = _RENDERERS[(asset["kind"], target)](job)
    if len(data) > max_output_bytes:
        raise RenderError(
            # MB as everywhere else in tcma's messages: 1,048,576 bytes.
            f"The rendered {target.upper()} is {len(data) / 1048576:.1f} MB, more than the "
            f"{max_output_bytes / 1048576:g} MB allowed"
        )
    return RenderedFile(
        filename=output_filename(source, asset_key, target),
        content_type=CONTENT_TYPES[target],
        data=data,
        refused_urls=tuple(job.refused),
    )


def is_document_target(target: str) -> bool:
    """True for outputs laid out by WeasyPrint (kit URLs, not public ones)."""
    return target in DOCUMENT_TARGETS


def _document_html(job: _Job) -> str:
    return run_template(job.envs.html, job.template(), job.variables(document=True))


def _print_pdf(job: _Job) -> bytes:
    documents = _weasy("documents")
    css = documents.print_page_css(job.asset.get("page_size", "A4"))
    return documents.html_to_pdf(_document_html(job), job.fetcher(), css)


def _print_ready_pdf(job: _Job) -> bytes:
    documents = _weasy("documents")
    css = documents.print_page_css(
        job.asset.get("page_size", "A4"), bleed=job.asset.get("bleed", documents.DEFAULT_BLEED)
    )
    return documents.html_to_pdf(_document_html(job), job.fetcher(), css, print_ready=True)


def _print_png(job: _Job) -> bytes:
    documents = _weasy("documents")
    css = documents.print_page_css(job.asset.get("page_size", "A4"))
    pdf = documents.html_to_pdf(
        _document_html(job), job.fetcher(), css, first_page_only=True, tagged=False
    )
    return documents.pdf_page_to_png(pdf)


def _image_png(job: _Job) -> bytes:
    documents = _weasy("documents")
    size = documents.check_pixel_size(job.asset.get("width"), job.asset.get("height"))
    css = documents.pixel_page_css(*size)
    pdf = documents.html_to_pdf(
        _document_html(job), job.fetcher(), css, first_page_only=True, tagged=False
    )
    return documents.pdf_page_to_png(pdf, size)


def _web_html(job: _Job) -> str:
    return run_template(job.envs.html, job.template(), job.variables(document=False))


def _email_html(job: _Job) -> str:
    preheader = render_string(
        job.envs.text, job.asset.get("preheader", ""), job.variables(document=False), "preheader"
    )
    html = inline_css(add_preheader(_web_html(job), preheader))
    return ask_shown_size(html, job.ctx.media_base_url)


def _email_text(job: _Job) -> str:
    if job.asset.get("text_template"):
        variables = job.variables(document=False)
        return run_template(job.envs.text, job.template("text_template"), variables)
    return html_to_text(inline_css(_web_html(job)))


def _email_eml(job: _Job) -> bytes:
    variables = job.variables(document=False)
    subject_template = job.asset.get("subject") or job.asset.get("name") or ""
    subject = render_string(job.envs.text, subject_template, variables, "subject")
    brand = variables["brand"]
    return build_eml(
        one_line(subject), _email_html(job), _email_text(job), brand["display_name"], brand["email"]
    )


def social_posts(job: _Job) -> dict[str, str]:
    """Render every network's post text, refusing one longer than its network allows."""
    networks = job.asset.get("networks") or {}
    if not isinstance(networks, dict) or not networks:
        raise RenderError(f"The social asset {job.asset.get('key')!r} names no networks")
    variables = job.variables(document=False)
    posts = {}
    for network, path in networks.items():
        if network not in NETWORKS:
            raise RenderError(f"Unknown social network {network!r} (use {', '.join(NETWORKS)})")
        label, limit = NETWORKS[network]
        text = run_template(job.envs.text, str(path), variables).strip()
        if len(text) > limit:
            raise RenderError(
                f"The {label} post is {len(text):,} characters long; {label} allows {limit:,}"
            )
        posts[network] = text
    return posts


def _social_txt(job: _Job) -> bytes:
    sections = []
    for network, text in social_posts(job).items():
        label, limit = NETWORKS[network]
        title = f"{label} ({len(text):,} of {limit:,} characters)"
        sections.append(f"{title}\n{'-' * len(title)}\n{text}\n")
    return "\n".join(sections).encode()


def _social_json(job: _Job) -> bytes:
    return json.dumps(social_posts(job), ensure_ascii=False, indent=2).encode()


_RENDERERS: dict[tuple[str, str], Callable[[_Job], bytes]] = {
    ("print", "pdf"): _print_pdf,
    ("print", "xpdf"): _print_ready_pdf,
    ("print", "png"): _print_png,
    ("email", "html"): lambda job: _email_html(job).encode(),
    ("email", "txt"): lambda job: _email_text(job).encode(),
    ("email", "eml"): _email_eml,
    ("landing", "html"): lambda job: _web_html(job).encode(),
    ("banner", "png"): _image_png,
    ("social", "txt"): _social_txt,
    ("social", "png"): _image_png,
    ("social", "json"): _social_json,
}
