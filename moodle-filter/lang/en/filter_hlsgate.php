<?php
// This file is part of Moodle - http://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <http://www.gnu.org/licenses/>.

/**
 * English strings of filter_hlsgate.
 *
 * @package    filter_hlsgate
 * @copyright  2026 hlsgate
 * @license    http://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['app:incomplete'] = 'This video cannot be shown: its link on this page is incomplete. Please tell your teacher.';
$string['app:noservice'] = 'This site does not let the Moodle app play protected videos yet. Please open this page in a browser, or tell the site administrator.';
$string['app:offline'] = 'This lecture needs an internet connection. It will load when you are back online.';
$string['cachedef_durations'] = 'Duration of each protected video, read from its playlists on the media server';
$string['captionsnotice'] = 'Captions (only teachers see this): {$a}';
$string['captionsstatus:failed'] = 'Speech recognition failed, so the video has no captions. {$a}';
$string['captionsstatus:no-speech'] = 'No speech was recognised (silence or music only), so the video has no captions. {$a}';
$string['captionsstatus:not-selected'] = 'The automatic captions are not switched on by default, because speech recognition was not confident enough; students can still turn them on and search them. {$a}';
$string['captionsstatus:offered'] = 'Automatic captions are switched on for those who want captions. {$a}';
$string['captionsstatus:pending'] = 'Speech recognition has not finished yet; captions follow. {$a}';
$string['error:badmediabase'] = 'Not a usable media base URL: {$a}. Each line must be an https URL ending with / (plain http only for localhost), without user name, query or fragment.';
$string['error:filegone'] = 'The video file "{$a}" is no longer available: the file it links to was moved or deleted. Ask your teacher to add it again.';
$string['error:filenotfound'] = 'The video file "{$a}" was not found in this page.';
$string['error:implausible'] = 'This progress report claims more watching ({$a->added} s) than the time since the last report allows ({$a->allowed} s); it was not stored.';
$string['error:nocontext'] = 'This video belongs to a page that no longer exists.';
$string['error:noduration'] = 'The length of this video could not be read from the media server; progress is not saved. Try again later.';
$string['error:nosignature'] = 'The auth server did not sign Moodle\'s request for the video\'s transcript; search retries later.';
$string['error:notallowed'] = 'This video is not on an allowed media server.';
$string['error:notaplaylist'] = 'This file is not an HLS video playlist.';
$string['error:notconfigured'] = 'Protected video playback is not set up on this site yet. Please tell the site administrator.';
$string['error:notembedded'] = 'This video is not available on this page.';
$string['error:notvtt'] = 'The video\'s captions are not a WebVTT file Moodle\'s search can read.';
$string['error:relativeuris'] = 'This playlist is not the one published for Moodle (it names its videos relatively). Ask your teacher to pick the file from the lecture repository again.';
$string['error:severalvideos'] = 'This playlist points to more than one video and cannot be played.';
$string['error:shortsecret'] = 'The secret must be at least {$a} bytes long.';
$string['error:token'] = 'The video could not be authorised. Please reload the page.';
$string['error:toomanyvideos'] = 'Progress is kept for at most {$a} videos per user; this one is not saved.';
$string['error:wrongarea'] = 'Videos can be played only from files of this page\'s own content. Ask your teacher to add the video again.';
$string['error:wrongcontext'] = 'This video file belongs to another page.';
$string['error:wrongcontextlevel'] = 'Protected videos can be played only inside a course, an activity or a block of a course.';
$string['eventvideoprogress'] = 'Protected video progress';
$string['eventvideoviewed'] = 'Protected video viewed';
$string['filtername'] = 'Protected HLS videos (hlsgate)';
$string['hlsgate:embed'] = 'Make protected HLS videos playable in texts one saves (course, section, activity, page, book chapter)';
$string['hlsgate:view'] = 'Watch protected HLS videos';
$string['hlsgate:viewreport'] = 'See how much of the protected videos of a course each student watched';
$string['player:auto'] = 'Auto';
$string['player:media'] = 'This video cannot be played';
$string['player:network'] = 'Network trouble — trying again…';
$string['player:networkfatal'] = 'Network trouble — check your connection and reload the page';
$string['player:noaccess'] = 'You don\'t have access to this video';
$string['player:playbackrate'] = 'Playback rate';
$string['player:quality'] = 'Quality';
$string['player:resume'] = 'Resume at {time}';
$string['player:resumeannounce'] = 'You stopped at {time}.';
$string['player:sessionended'] = 'Your session has ended — reload the page';
$string['player:startover'] = 'Start from the beginning';
$string['player:unsupported'] = 'This browser cannot play this video. Please use a current version of Firefox, Chrome, Edge or Safari.';
$string['pluginname'] = 'Protected HLS videos (hlsgate)';
$string['privacy:embed'] = 'Protected videos embedded';
$string['privacy:metadata:authserver'] = 'To play a protected video, the browser sends a short-lived view token signed by Moodle to the hlsgate auth server, which answers with cookies for that one video.';
$string['privacy:metadata:authserver:courseid'] = 'The id of the course the video is shown in, for the auth server\'s logs.';
$string['privacy:metadata:authserver:userid'] = 'The id of the user watching the video.';
$string['privacy:metadata:authserver:watermark'] = 'The watermark text drawn over the video (by default the user\'s full name and email address).';
$string['privacy:metadata:embed'] = 'Which protected videos a context embeds, and who saved the text that embeds them (for deciding who may play them).';
$string['privacy:metadata:embed:contextid'] = 'The course, activity or block whose text embeds the video.';
$string['privacy:metadata:embed:timecreated'] = 'When the embed was first recorded.';
$string['privacy:metadata:embed:url'] = 'The address of the video\'s playlist.';
$string['privacy:metadata:embed:userid'] = 'The user who saved the text that embeds the video.';
$string['privacy:metadata:progress'] = 'What each user watched of each protected video, for resuming and for the teacher\'s report.';
$string['privacy:metadata:progress:contextid'] = 'The page or activity the video was shown in.';
$string['privacy:metadata:progress:duration'] = 'The length of the video, as the media server gives it.';
$string['privacy:metadata:progress:lastposition'] = 'Where playback was at the last report, to offer resuming there.';
$string['privacy:metadata:progress:milestone'] = 'The highest of 25, 50, 75 and 95 percent already logged for the user.';
$string['privacy:metadata:progress:ranges'] = 'The stretches of the video that were played.';
$string['privacy:metadata:progress:resource'] = 'The video\'s folder on the media server.';
$string['privacy:metadata:progress:seq'] = 'The number of the last report of the player session.';
$string['privacy:metadata:progress:session'] = 'A random id of the player session (one page view) of the last report.';
$string['privacy:metadata:progress:timecreated'] = 'When the user first played the video.';
$string['privacy:metadata:progress:timemodified'] = 'When the user last watched the video.';
$string['privacy:metadata:progress:timespent'] = 'Seconds of wall-clock time between the reports of each viewing.';
$string['privacy:metadata:progress:url'] = 'The address of the video\'s playlist.';
$string['privacy:metadata:progress:userid'] = 'The user who watched.';
$string['privacy:metadata:progress:watched'] = 'Seconds of the video watched, each second counted once.';
$string['privacy:metadata:transcript'] = 'The words spoken in each embedded video, read from its captions for Moodle\'s search. Linked to no Moodle user: kept per video, not per person, so there is nothing of a user to export or delete (the words may still name the people who speak, as the captions do).';
$string['privacy:metadata:transcript:content'] = 'What is said in about a minute of the video, as its captions give it.';
$string['privacy:metadata:transcript:resource'] = 'The video\'s folder on the media server.';
$string['privacy:progress'] = 'Protected video progress';
$string['report:captions'] = 'Captions';
$string['report:lastwatched'] = 'Last watched';
$string['report:nostudents'] = 'No students to show.';
$string['report:novideos'] = 'No protected video of this course has been played yet. A video appears here once someone (you too) has played it.';
$string['report:percent'] = 'Watched';
$string['report:position'] = 'Resume position';
$string['report:student'] = 'Student';
$string['report:timespent'] = 'Time spent';
$string['report:title'] = 'Protected video watching';
$string['report:video'] = 'Video';
$string['report:watchedseconds'] = 'Seconds watched';
$string['search:lecture'] = 'Lecture transcripts';
$string['search:lecturetitle'] = '{$a->name}, at {$a->time}';
$string['settings:aspectratio'] = 'Aspect ratio';
$string['settings:aspectratio_desc'] = 'Shape of the player before the video has loaded, when the editor gave no size.';
$string['settings:authheading'] = 'Auth server';
$string['settings:authheading_desc'] = 'hlsgate streams lecture videos from a media host (CloudFront) that only serves them with signed cookies. The auth server turns a view token signed here into those cookies. The key id and secret must match one entry of HLSGATE_TOKEN_SECRETS on the auth server, this site\'s issuer one of HLSGATE_TOKEN_ISSUERS, and the media base URLs those of HLSGATE_MEDIA_BASE_URLS.';
$string['settings:authurl'] = 'Auth server URL';
$string['settings:authurl_desc'] = 'The auth server as the browser reaches it, on the media host, for example https://media.example.edu/_auth. Players send their view tokens to this URL followed by /session.';
$string['settings:issuer'] = 'Issuer';
$string['settings:issuer_desc'] = 'The iss claim of the view tokens. Empty: this site\'s address, {$a}.';
$string['settings:mediabaseurls'] = 'Allowed media base URLs';
$string['settings:mediabaseurls_desc'] = 'One per line, for example https://media.example.edu/lectures/. A playlist is played only when its videos lie under one of these; a link pasted into a text becomes a player only when it is &lt;base&gt;&lt;video folder&gt;/….m3u8.';
$string['settings:playbackrates'] = 'Playback rates';
$string['settings:playbackrates_desc'] = 'Speeds offered in the player, separated by commas. Empty hides the control.';
$string['settings:playerheading'] = 'Player';
$string['settings:tokenkid'] = 'Key id';
$string['settings:tokenkid_desc'] = 'The kid of the secret below, as configured on the auth server (HLSGATE_TOKEN_SECRETS=kid:secret). To rotate: add the new kid:secret to the auth server, change both fields here, then remove the old one from the auth server.';
$string['settings:tokenlifetime'] = 'Token lifetime';
$string['settings:tokenlifetime_desc'] = 'How long a view token may be used to obtain cookies. Players ask for a new one when it has expired. It must not exceed HLSGATE_TOKEN_MAX_LIFETIME of the auth server.';
$string['settings:tokensecret'] = 'Secret';
$string['settings:tokensecret_desc'] = 'The HMAC secret shared with the auth server, at least 32 bytes.';
$string['settings:watermark'] = 'Watermark';
$string['settings:watermark_desc'] = 'Text drawn over the video, moving slowly. Placeholders: {fullname}, {firstname}, {lastname}, {email}, {username}, {idnumber}, {id}. Empty for no watermark.';
$string['watermark:loginas'] = '{$a->real} as {$a->user}';
