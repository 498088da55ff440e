from django.urls import path

from . import plan_views, views

app_name = "consultation"

urlpatterns = [
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/act/<str:action>/", views.meeting_act, name="meeting_act"),
    path("meetings/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("meetings/<int:pk>/leave/<int:leave_id>/", views.leave_decide, name="leave_decide"),
    path("meetings/<int:pk>/speeches/", views.speech_add, name="speech_add"),
    path("meetings/<int:pk>/outcome/", views.outcome_add, name="outcome_add"),
    path("meetings/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("meetings/<int:pk>/notice.docx", views.notice_docx, name="notice_docx"),
    path("meetings/<int:pk>/minutes.docx", views.minutes_docx, name="minutes_docx"),
    path("mine/", views.mine, name="mine"),
    path("meetings/<int:pk>/sign-up/", views.sign_up, name="sign_up"),
    path("meetings/<int:pk>/ask-leave/", views.leave, name="leave"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("plan/", plan_views.plan, name="plan"),
    path("plan/new/", plan_views.plan_new, name="plan_new"),
    path("plan/<int:pk>/act/<str:action>/", plan_views.plan_act, name="plan_act"),
    path("plan/<int:pk>/plan.docx", plan_views.plan_docx, name="plan_docx"),
    path("topics/", plan_views.topics, name="topics"),
    path("topics/new/", plan_views.topic_new, name="topic_new"),
    path("topics/mine/", plan_views.my_topics, name="my_topics"),
    path("topics/<int:pk>/", plan_views.topic, name="topic"),
    path("topics/<int:pk>/act/<str:action>/", plan_views.topic_act, name="topic_act"),
]
