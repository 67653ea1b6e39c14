"""The knowledge base (knowledge.manage): add files, edit, replace and delete articles, re-embed stale passages."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nexus360.chat import client
from nexus360.chat.knowledge import flows as knowledge_flows
from nexus360.chat.knowledge import service
from nexus360.chat.knowledge.schemas import AUDIENCE_ROLES, ArticleUpdate
from nexus360.common.validation import parse
from nexus360.config import Settings
from nexus360.db import Database
from nexus360.ui.formatting import escape_markdown
from nexus360.ui.session import FAILED, call, submit, submit_flow
from nexus360.ui.sidebar import ROLE_LABELS

FILE_TYPES = ["md", "markdown", "txt", "pdf", "docx"]


def _audience_label(audience: list[str]) -> str:
    return ", ".join(ROLE_LABELS.get(role, role) for role in audience) if audience else "Everyone"


def knowledge_view(settings: Settings) -> None:
    embedder = client.embedder(settings)
    _status(embedder)
    with st.expander("Add articles from files", icon=":material/upload_file:", expanded=False):
        _add(embedder)
    search = st.text_input("Find an article", key="kb_search", placeholder="Words in the title")
    articles = call(Database.CHAT, service.list_articles, model=embedder.model_name, search=search or "")
    if not articles:
        st.info("No article matches. Add Markdown, text, PDF or Word files above." if search else
                "The knowledge base is empty. Add Markdown, text, PDF or Word files above.",
                icon=":material/menu_book:")
        return
    st.dataframe(pd.DataFrame({
        "Title": [a.title for a in articles],
        "Audience": [_audience_label(a.audience) for a in articles],
        "Passages": [a.passages for a in articles],
        "Stale passages": [a.stale_passages for a in articles],
        "Source": [a.source_name or "typed in" for a in articles],
        "Updated (UTC)": [a.updated_at for a in articles],
    }), hide_index=True, width="stretch", column_config={
        "Updated (UTC)": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm")})
    chosen = st.selectbox("Article to edit", articles, format_func=lambda a: a.title, key="kb_article",
                          index=None, placeholder="Pick an article to edit, replace or delete")
    if chosen is not None:
        _edit(chosen.id, embedder)


def _status(embedder) -> None:
    status = call(Database.CHAT, service.index_status, model=embedder.model_name)
    text = (f"{status.articles:,} articles in {status.passages:,} passages, embedded with "
            f"`{status.model}`.")
    if status.stale_passages or status.unindexed_articles:
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.warning(f"{text} {status.stale_passages:,} passages were embedded with another model (or not at all)"
                     f" and {status.unindexed_articles:,} articles are not split yet: full-text search finds them, "
                     "vector search does not until they are re-embedded.", icon=":material/sync_problem:")
        if right.button("Re-embed now", key="kb_reembed", width="stretch"):
            with st.spinner("Re-embedding…"):
                result = submit(Database.CHAT, service.reembed, embedder=embedder)
            if result is not FAILED:
                st.toast(f"Re-embedded {result.passages_embedded:,} passages.")
                st.rerun()
    else:
        st.caption(f"{text} Every passage is up to date.")


def _add(embedder) -> None:
    with st.form("kb_add", clear_on_submit=True):
        files = st.file_uploader("Files (Markdown, text, PDF or Word)", type=FILE_TYPES, accept_multiple_files=True)
        audience = st.multiselect("Audience (empty: everyone)", AUDIENCE_ROLES, format_func=ROLE_LABELS.get)
        title = st.text_input("Title (optional, one file only; else the file's first heading)", max_chars=255)
        if not st.form_submit_button("Add to the knowledge base", type="primary"):
            return
    if not files:
        st.error("Files: choose at least one file to add.")
        return
    added = 0
    for upload in files:
        result = submit_flow(knowledge_flows.add_document, filename=upload.name, data=upload.getvalue(),
                             embedder=embedder, audience=list(audience), title=title if len(files) == 1 else None)
        added += result is not FAILED
    if added:
        st.toast(f"Added {added} article(s).")


def _edit(article_id: int, embedder) -> None:
    article = call(Database.CHAT, service.get_article, article_id=article_id, model=embedder.model_name)
    with st.form(f"kb_edit_{article.id}"):
        title = st.text_input("Title", value=article.title, max_chars=255)
        audience = st.multiselect("Audience (empty: everyone)", AUDIENCE_ROLES, default=article.audience,
                                  format_func=ROLE_LABELS.get)
        content = st.text_area("Text (Markdown headings start passages)", value=article.content, height=320)
        if st.form_submit_button("Save article", type="primary"):
            try:
                data = parse(ArticleUpdate, title=title, content=content, audience=audience,
                             source_name=article.source_name, source_type=article.source_type)
            except Exception as error:  # noqa: BLE001 - shown in place, nothing saved
                st.error(escape_markdown(str(error)))
            else:
                if submit(Database.CHAT, service.update_article, article_id=article.id, data=data,
                          embedder=embedder) is not FAILED:
                    st.toast("Article saved and re-indexed.")
                    st.rerun()
    replace, delete = st.columns(2)
    with replace.popover("Replace with a file", icon=":material/upload_file:", width="stretch"):
        upload = st.file_uploader("New version", type=FILE_TYPES, key=f"kb_replace_{article.id}")
        go = upload is not None and st.button("Replace the text", key=f"kb_replace_go_{article.id}")
        if go and submit(Database.CHAT, service.replace_document, article_id=article.id, filename=upload.name,
                         data=upload.getvalue(), embedder=embedder) is not FAILED:
            st.toast("Article replaced and re-indexed.")
            st.rerun()
    with delete.popover("Delete article", icon=":material/delete:", width="stretch"):
        st.write(f"Delete “{escape_markdown(article.title)}” and its passages? Past answers keep their citations.")
        confirmed = st.button("Delete for good", type="primary", key=f"kb_delete_{article.id}")
    if confirmed and submit(Database.CHAT, service.delete_article, article_id=article.id) is not FAILED:
        st.session_state.pop("kb_article", None)
        st.toast("Article deleted.")
        st.rerun()
